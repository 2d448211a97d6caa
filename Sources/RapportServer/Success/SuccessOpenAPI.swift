import Foundation
import RapportKit

/// The OpenAPI schemas of the Customer Success routes.
extension OpenAPIDocument {
    static func successSchemas(into s: inout [String: Any]) {
        let optNum: [String: Any] = ["type": ["number", "null"]]
        let optInt: [String: Any] = ["type": ["integer", "null"]]
        let bool: [String: Any] = ["type": "boolean"]
        let date: [String: Any] = ["type": "string", "format": "date"]
        let optDate: [String: Any] = ["type": ["string", "null"], "format": "date"]
        func array(_ items: [String: Any]) -> [String: Any] { ["type": "array", "items": items] }
        func choice(_ values: [String], nullable: Bool = false) -> [String: Any] {
            nullable ? ["type": ["string", "null"], "enum": values + [NSNull()]] : ["type": "string", "enum": values]
        }
        let components = HealthComponentKind.allCases.map(\.rawValue)

        s["GoalInput"] = ["type": "object", "properties": [
            "account_id": uuid, "parent_id": optUUID, "title": ["type": "string", "maxLength": 200], "description": ["type": ["string", "null"], "maxLength": 4_000],
            "horizon": choice(GoalHorizon.allCases.map(\.rawValue)), "level": choice(GoalLevel.allCases.map(\.rawValue)),
            "vendor_owner_id": optUUID, "customer_owner_id": optUUID, "attainment": choice(GoalAttainment.allCases.map(\.rawValue)),
            "reason": ["type": "string", "maxLength": 1_000, "description": "Required when title, description, horizon or level change (a reset)"],
        ]]
        s["Agreement"] = object([
            "stage": choice(["ex_ante", "ex_post"]), "side": choice(["vendor", "customer"]), "revision": int, "attainment": optStr,
            "by": str, "via": str, "note": optStr, "at": dateTime,
        ], required: ["stage", "side", "revision", "by", "via", "at"])
        s["AgreementInput"] = ["type": "object", "properties": [
            "stage": choice(["ex_ante", "ex_post"]), "side": choice(["vendor", "customer"]),
            "by_name": ["type": "string", "maxLength": 200, "description": "Who agreed; required for the customer side"], "note": ["type": "string", "maxLength": 1_000],
        ], "required": ["stage", "side"]]
        s["Measurement"] = object([
            "id": uuid, "measured_on": date, "value": num, "source": choice(KPISource.allCases.map(\.rawValue)), "note": optStr, "recorded_by": str,
        ], required: ["id", "measured_on", "value", "source", "recorded_by"])
        s["MeasurementInput"] = ["type": "object", "properties": ["measured_on": date, "value": num, "note": ["type": "string", "maxLength": 1_000]], "required": ["value"]]
        s["KPI"] = object([
            "id": uuid, "goal_id": uuid, "name": str, "unit": str, "baseline": num, "baseline_on": date, "target": num, "deadline": date,
            "source": choice(KPISource.allCases.map(\.rawValue)), "source_ref": optStr, "current": optNum, "measured_on": optDate,
            "progress": ["type": ["number", "null"], "description": "(current − baseline) / (target − baseline); 1 = target reached"],
            "measurements": array(ref("Measurement")), "version": int,
        ], required: ["id", "goal_id", "name", "unit", "baseline", "baseline_on", "target", "deadline", "source", "measurements", "version"])
        s["KPIInput"] = ["type": "object", "properties": [
            "name": ["type": "string", "maxLength": 200], "unit": ["type": "string", "maxLength": 40], "baseline": num, "baseline_on": date,
            "target": num, "deadline": date, "source": choice(KPISource.allCases.map(\.rawValue)),
            "source_ref": ["type": "string", "maxLength": 100, "description": "usage: active_users or a feature; survey: nps"],
        ]]
        s["Goal"] = object([
            "id": uuid, "account_id": uuid, "parent_id": optUUID, "title": str, "description": optStr, "horizon": str, "level": str,
            "vendor_owner_id": optUUID, "customer_owner_id": optUUID, "attainment": choice(GoalAttainment.allCases.map(\.rawValue)),
            "revision": int, "version": int, "agreements": array(ref("Agreement")), "agreed_by_both": bool, "signed_off_by_both": bool,
            "kpis": array(ref("KPI")), "created_at": dateTime, "updated_at": dateTime,
        ], required: ["id", "account_id", "title", "horizon", "level", "attainment", "revision", "version", "agreements", "agreed_by_both", "signed_off_by_both", "kpis"])
        s["GoalVersion"] = object([
            "revision": int, "reason": str, "created_by": str, "created_at": dateTime,
            "snapshot": object(["title": str, "description": optStr, "horizon": str, "level": str, "attainment": str,
                                "kpis": array(ref("KPI")), "agreements": array(ref("Agreement"))], required: ["title", "horizon", "level", "attainment", "kpis", "agreements"]),
        ], required: ["revision", "reason", "created_by", "created_at", "snapshot"])

        let phase = object(["planned": optDate, "actual": optDate], required: [])
        s["PlanInput"] = ["type": "object", "properties": [
            "account_id": uuid, "title": ["type": "string", "maxLength": 200], "vendor_owner_id": optUUID, "customer_owner_id": optUUID,
            "priorities": ["type": "array", "maxItems": 3, "items": ["type": "string", "maxLength": 300]],
            "budget": optNum, "currency": ["type": "string", "pattern": "^[A-Za-z]{3}$"],
            "promised": ["type": ["string", "null"], "maxLength": 4_000], "realistic": ["type": ["string", "null"], "maxLength": 4_000],
            "phases": ["type": "object", "properties": Dictionary(uniqueKeysWithValues: SuccessPhase.allCases.map { ($0.rawValue, phase) }), "additionalProperties": false],
            "visibility": choice(["internal", "shared"]),
        ]]
        s["Milestone"] = object(["id": uuid, "title": str, "phase": str, "due_on": date, "done_on": optDate], required: ["id", "title", "phase", "due_on"])
        s["MilestoneInput"] = ["type": "object", "properties": [
            "title": ["type": "string", "maxLength": 200], "phase": choice(SuccessPhase.allCases.map(\.rawValue)), "due_on": date, "done_on": optDate,
        ]]
        s["Plan"] = object([
            "id": uuid, "account_id": uuid, "title": str, "vendor_owner_id": optUUID, "customer_owner_id": optUUID, "priorities": array(str),
            "budget": optNum, "currency": optStr, "promised": optStr, "realistic": optStr,
            "phases": ["type": "object", "additionalProperties": phase], "visibility": choice(["internal", "shared"]), "shared": bool,
            "shared_at": dateTime, "milestones": array(ref("Milestone")), "version": int, "created_at": dateTime, "updated_at": dateTime,
        ], required: ["id", "account_id", "title", "priorities", "phases", "visibility", "shared", "milestones", "version"])
        s["Share"] = object(["url": str, "note": str], required: ["url", "note"])

        s["UsageBatchInput"] = ["type": "object", "properties": [
            "batch_id": ["type": "string", "maxLength": 200, "description": "Accepted once per workspace"],
            "events": ["type": "array", "maxItems": UsageIngest.maxEvents, "items": ["type": "object", "properties": [
                "account_id": uuid, "account_external_id": str, "user": ["type": "string", "maxLength": 200],
                "feature": ["type": "string", "maxLength": 100], "count": ["type": "integer", "minimum": 1, "maximum": 1_000_000],
                "time": ["type": "string", "examples": ["2026-11-23T14:05:00Z"]],
            ]]],
        ], "required": ["batch_id", "events"]]
        s["UsageBatchResult"] = object(["batch_id": str, "events": int, "accounts": int, "days": int], required: ["batch_id", "events", "accounts", "days"])
        s["AccountUsage"] = object([
            "account_id": uuid, "as_of": date, "active_users": int, "previous_active_users": int, "change": optNum, "dropped": bool,
            "seats": optInt, "utilisation": optNum, "features_used": int, "features_available": int, "breadth": optNum, "events_28_days": int,
            "features": array(object(["feature": str, "events": int], required: ["feature", "events"])),
            "daily": array(object(["day": date, "events": int, "features": int], required: ["day", "events", "features"])),
        ], required: ["account_id", "as_of", "active_users", "previous_active_users", "dropped", "features_used", "features_available", "events_28_days", "features", "daily"])

        let dimension = object(["value": optNum, "numerator": num, "denominator": int], required: ["numerator", "denominator"])
        s["SuccessAssessment"] = object([
            "goals": int, "valence": dimension, "reached": int, "partly": int, "not_reached": int, "open": int,
            "ex_ante_congruence": dimension, "ex_post_congruence": dimension, "congruence": dimension, "certainty": dimension,
        ], required: ["goals", "valence", "reached", "partly", "not_reached", "open", "ex_ante_congruence", "ex_post_congruence", "congruence", "certainty"])
        let contribution = object([
            "kind": choice(components), "raw": optNum, "points": optNum, "weight": num, "effective_weight": num, "contribution": num,
        ], required: ["kind", "weight", "effective_weight", "contribution"])
        s["HealthScore"] = object([
            "account_id": uuid, "computed_on": date, "score": optNum, "band": ["type": ["string", "null"], "enum": ["red", "yellow", "green", NSNull()]],
            "contributions": array(contribution), "missing": array(choice(components)),
            "previous": ["type": ["object", "null"], "properties": [
                "computed_on": date, "score": optNum,
                "changes": array(object(["kind": choice(components), "before": num, "after": num], required: ["kind", "before", "after"])),
            ]],
        ], required: ["account_id", "computed_on", "contributions", "missing"])
        let risk = object(["kind": choice(RiskSignals.kinds), "severity": choice(["high", "medium"]), "detail": str], required: ["kind", "severity", "detail"])
        s["AccountSuccess"] = object([
            "account_id": uuid, "assessment": ref("SuccessAssessment"), "health": ["anyOf": [ref("HealthScore"), ["type": "null"]]],
            "risks": array(risk), "usage": ref("AccountUsage"),
        ], required: ["account_id", "assessment", "risks", "usage"])
        s["PortfolioRow"] = object([
            "account_id": uuid, "name": str, "segment": optStr, "owner_id": optUUID, "health": optNum, "band": optStr, "health_change": optNum,
            "next_renewal": optDate, "arr": ["type": "object", "additionalProperties": num, "description": "ARR per currency"],
            "goals": int, "goals_reached": int, "risks": array(risk), "open_tasks": int, "overdue_tasks": int,
        ], required: ["account_id", "name", "arr", "goals", "goals_reached", "risks", "open_tasks", "overdue_tasks"])
        let model = object([
            "components": array(object(["kind": choice(components), "weight": num,
                                        "thresholds": object(["zero_at": num, "full_at": num], required: ["zero_at", "full_at"])],
                                       required: ["kind", "weight", "thresholds"])),
            "red_below": num, "green_from": num,
        ], required: ["components", "red_below", "green_from"])
        s["HealthModel"] = model
        s["HealthModels"] = array(object(["segment": optStr, "model": ref("HealthModel"), "version": int], required: ["model", "version"]))
        s["HealthModelInput"] = ["type": "object", "properties": ["segment": ["type": ["string", "null"], "maxLength": 100], "model": ref("HealthModel")], "required": ["model"]]
        s["HealthRun"] = object(["computed_on": date, "origin": choice(["schedule", "manual"]), "claimed_by": str,
                                 "started_at": dateTime, "finished_at": dateTime, "accounts": int, "seconds": num, "error": str],
                                required: ["computed_on", "origin", "claimed_by", "started_at"])
        s["HealthRecompute"] = object(["computed_on": date, "accounts": int, "seconds": num], required: ["computed_on", "accounts", "seconds"])
        s["BackTestInput"] = ["type": "object", "properties": [
            "from": date, "to": date, "lead_days": ["type": "integer", "minimum": 0, "maximum": 730], "model": ref("HealthModel"),
        ]]
        let proportion = object(["successes": int, "n": int, "estimate": num, "low": num, "high": num], required: ["n"])
        s["BackTest"] = object([
            "from": date, "to": date, "lead_days": int, "outcomes": int, "without_score": int, "model": ref("HealthModel"),
            "result": object([
                "n": int, "churned": int,
                "auc": ["type": ["object", "null"], "properties": [
                    "auc": num, "low": num, "high": num, "standard_error": num, "positives": int, "negatives": int, "method": str]],
                "bands": array(object(["band": choice(["red", "yellow", "green"]), "accounts": int, "churned": int, "rate": proportion],
                                      required: ["band", "accounts", "churned", "rate"])),
            ], required: ["n", "churned", "bands"]),
        ], required: ["from", "to", "lead_days", "outcomes", "without_score", "model", "result"])
        // Operating the portfolio: tasks, meetings, playbooks, advocacy, renewals and retention.
        let taskStatus = choice(TasksAPI.statuses)
        s["Task"] = object([
            "id": uuid, "account_id": uuid, "title": str, "detail": optStr, "owner_id": optUUID, "due_on": date, "status": taskStatus, "overdue": bool,
            "done_at": ["type": ["string", "null"], "format": "date-time"], "done_by": optStr, "source": choice(["manual", "meeting", "playbook"]),
            "playbook_run_id": optUUID, "meeting_id": optUUID, "created_by": str, "version": int, "created_at": dateTime,
        ], required: ["id", "account_id", "title", "due_on", "status", "overdue", "source", "created_by", "version"])
        s["TaskInput"] = ["type": "object", "properties": [
            "account_id": uuid, "title": ["type": "string", "minLength": 1, "maxLength": 200], "detail": ["type": ["string", "null"], "maxLength": 4_000],
            "owner_id": optUUID, "due_on": date, "status": taskStatus,
        ]]
        s["Meeting"] = object([
            "id": uuid, "account_id": uuid, "held_on": date, "title": str, "attendees": optStr, "notes": optStr, "decisions": optStr,
            "expectations_checked": bool, "next_steps": array(ref("Task")), "created_by": str, "version": int, "created_at": dateTime,
        ], required: ["id", "account_id", "held_on", "title", "expectations_checked", "next_steps", "created_by", "version"])
        s["MeetingInput"] = ["type": "object", "properties": [
            "held_on": date, "title": ["type": "string", "minLength": 1, "maxLength": 200], "attendees": ["type": "string", "maxLength": 1_000],
            "notes": ["type": "string", "maxLength": 20_000], "decisions": ["type": "string", "maxLength": 4_000], "expectations_checked": bool,
            "next_steps": ["type": "array", "maxItems": 20, "items": ["type": "object", "properties": [
                "title": ["type": "string", "minLength": 1, "maxLength": 200], "owner_id": uuid, "due_on": date], "required": ["title"]]],
        ], "required": ["title"]]
        let advocacyStatuses = Array(Set(AdvocacyAPI.statuses.values.flatMap { $0 })).sorted()
        s["Advocacy"] = object([
            "id": uuid, "account_id": uuid, "contact_id": optUUID, "kind": choice(AdvocacyAPI.kinds), "status": choice(advocacyStatuses), "title": str,
            "detail": optStr, "feedback_id": optUUID, "feedback_queue": optStr, "created_by": str, "version": int, "created_at": dateTime, "updated_at": dateTime,
        ], required: ["id", "account_id", "kind", "status", "title", "created_by", "version"])
        s["AdvocacyInput"] = ["type": "object", "properties": [
            "account_id": uuid, "contact_id": uuid, "kind": choice(AdvocacyAPI.kinds), "status": choice(advocacyStatuses),
            "title": ["type": "string", "minLength": 1, "maxLength": 200], "detail": ["type": "string", "maxLength": 4_000], "feedback_type": choice(["idea", "bug"]),
        ], "required": ["account_id", "kind", "title"]]
        s["AdvocacyStatusInput"] = ["type": "object", "properties": ["status": choice(advocacyStatuses)], "required": ["status"]]
        let template = object(["title": str, "due_in_days": ["type": "integer", "minimum": 0, "maximum": 365], "owner": optStr], required: ["title", "due_in_days"])
        s["Playbook"] = object([
            "id": uuid, "name": str, "trigger_kind": choice(Playbooks.triggerKinds), "trigger_value": str, "segment": optStr, "tasks": array(template),
            "active": bool, "description": str, "version": int, "created_at": dateTime,
        ], required: ["id", "name", "trigger_kind", "trigger_value", "tasks", "active", "description", "version"])
        s["PlaybookInput"] = ["type": "object", "properties": [
            "name": ["type": "string", "minLength": 1, "maxLength": 200], "trigger_kind": choice(Playbooks.triggerKinds),
            "trigger_value": ["type": "string", "description": "The risk signal's kind, the number of days before renewal, or the timeline event's kind"],
            "segment": ["type": "string", "maxLength": 100], "tasks": ["type": "array", "minItems": 1, "maxItems": 20, "items": template], "active": bool,
        ], "required": ["name", "trigger_kind", "trigger_value", "tasks"]]
        s["PlaybookRun"] = object(["id": uuid, "playbook_id": uuid, "account_id": uuid, "occurrence": str, "detail": str, "created_at": dateTime,
                                   "resolved_at": ["type": ["string", "null"], "format": "date-time"]],
                                  required: ["id", "playbook_id", "account_id", "occurrence", "detail", "created_at"])
        s["PlaybookSweep"] = object(["playbooks": int, "occurrences": int, "tasks": int, "resolved": int], required: ["playbooks", "occurrences", "tasks", "resolved"])
        let month = object(["month": str, "currency": str, "contracts": int, "arr": num, "expected": num, "low": num, "high": num],
                           required: ["month", "currency", "contracts", "arr", "expected", "low", "high"])
        s["Renewals"] = object([
            "from": date, "to": date, "months": array(month), "totals": array(month), "method": str,
            "rates": array(object(["band": str, "accounts": int, "renewed": int, "probability": num], required: ["band", "accounts", "renewed", "probability"])),
            "contracts": array(object([
                "contract_id": uuid, "account_id": uuid, "account_name": str, "product": str, "renewal_date": date, "arr": num, "currency": str,
                "band": optStr, "health": optNum, "probability": num,
            ], required: ["contract_id", "account_id", "account_name", "product", "renewal_date", "arr", "currency", "probability"])),
        ], required: ["from", "to", "months", "totals", "rates", "method", "contracts"])
        let measure = object(["measure": choice(PeersAPI.measures.map(\.name)), "value": optNum, "peers": int, "percentile": optNum,
                              "p25": optNum, "median": optNum, "p75": optNum], required: ["measure", "peers"])
        s["PeerBenchmark"] = object([
            "account_id": uuid, "basis": choice(["segment_and_size", "segment", "workspace"]), "segment": optStr, "size": optStr, "peers": int,
            "computed_on": ["type": ["string", "null"], "format": "date"], "measures": array(measure), "top_peers": int,
            "options": array(object(["feature": str, "used_by": int, "of": int], required: ["feature", "used_by", "of"])),
        ], required: ["account_id", "basis", "peers", "measures", "options", "top_peers"])
        s["Retention"] = object([
            "currency": str, "from": date, "to": date, "accounts": int, "starting_arr": num, "expansion": num, "contraction": num, "churn": num,
            "churned_accounts": int, "grr": optNum, "nrr": optNum,
        ], required: ["currency", "from", "to", "accounts", "starting_arr", "expansion", "contraction", "churn", "churned_accounts"])
    }
}
