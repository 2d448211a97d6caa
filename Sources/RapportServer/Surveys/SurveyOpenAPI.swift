import Foundation
import RapportKit

/// The OpenAPI schemas of the voice-of-the-customer routes.
extension OpenAPIDocument {
    static func surveySchemas(into s: inout [String: Any]) {
        let text: [String: Any] = ["type": "object", "additionalProperties": ["type": "string"], "description": "Text by language code, e.g. {\"de\": \"…\", \"en\": \"…\"}"]
        let optText: [String: Any] = ["type": ["object", "null"], "additionalProperties": ["type": "string"]]
        let optInt: [String: Any] = ["type": ["integer", "null"]]
        let optDate: [String: Any] = ["type": ["string", "null"], "format": "date-time"]
        let optNum: [String: Any] = ["type": ["number", "null"]]
        let bool: [String: Any] = ["type": "boolean"]
        let errors: [String: Any] = ["type": "array", "items": object(["field": str, "message": str], required: ["field", "message"])]
        let item = object(["id": str, "text": text, "driver": optStr], required: ["id", "text"])
        let answer: [String: Any] = ["description": "A number (scales), a text (free text or a single choice's option id), a list of option ids, true/false (callback) or an object of matrix item id → number",
                                     "type": ["integer", "string", "array", "boolean", "object"], "items": str, "additionalProperties": int]
        s["SurveyDefinition"] = object([
            "languages": ["type": "array", "items": ["type": "string", "pattern": "^[a-z]{2}$"], "minItems": 1],
            "title": text, "intro": optText, "thanks": optText, "randomize_questions": bool,
            "questions": ["type": "array", "items": object([
                "id": str, "type": ["type": "string", "enum": QuestionType.allowed], "text": text, "required": bool, "page": int,
                "scale": optInt, "low_label": optText, "high_label": optText, "driver": optStr,
                "items": ["type": ["array", "null"], "items": item], "options": ["type": ["array", "null"], "items": item],
                "randomize_options": bool, "purpose": optStr, "competitor": optStr,
                "show_if": ["type": ["object", "null"], "properties": ["question": str, "min": optInt, "max": optInt,
                                                                       "any_of": ["type": ["array", "null"], "items": str]], "required": ["question"]],
            ], required: ["id", "type", "text"])],
        ], required: ["languages", "title", "questions"])
        let surveyInput: [String: Any] = ["type": "object", "properties": [
            "name": ["type": ["string", "null"], "maxLength": 120], "kind": ["type": ["string", "null"], "enum": SurveyKind.allowed + [NSNull()]],
            "touchpoint_id": optUUID, "journey_id": optUUID, "definition": ["oneOf": [ref("SurveyDefinition"), ["type": "null"]]],
        ]]
        s["SurveyInput"] = surveyInput
        s["SurveyPatch"] = surveyInput
        s["Survey"] = object([
            "id": uuid, "name": str, "kind": str, "touchpoint_id": optUUID, "journey_id": optUUID, "status": str,
            "latest_version": int, "published_version": optInt, "definition": ref("SurveyDefinition"), "problems": errors,
            "version": int, "created_at": optDate, "updated_at": optDate,
        ], required: ["id", "name", "kind", "status", "latest_version", "version"])
        s["SurveyVersion"] = object(["survey_id": uuid, "number": int, "definition": ref("SurveyDefinition"), "published_at": optDate,
                                     "published_by": optStr, "created_at": optDate], required: ["survey_id", "number"])
        let triggerInput: [String: Any] = ["type": "object", "properties": [
            "name": ["type": ["string", "null"], "maxLength": 120], "kind": ["type": ["string", "null"], "enum": ["event", "batch", NSNull()]],
            "event_type": optStr, "conditions": ["type": ["object", "null"], "additionalProperties": str],
            "survey_id": optUUID, "channel": ["type": ["string", "null"], "enum": InvitationChannel.allCases.map(\.rawValue) + [NSNull()]],
            "delay_minutes": ["type": ["integer", "null"], "minimum": 0, "maximum": 525_600],
            "sampling_rate": ["type": ["number", "null"], "minimum": 0, "maximum": 1],
            "every_days": ["type": ["integer", "null"], "minimum": 1, "maximum": 365], "active": ["type": ["boolean", "null"]],
        ]]
        s["TriggerInput"] = triggerInput
        s["TriggerPatch"] = triggerInput
        s["Trigger"] = object([
            "id": uuid, "name": str, "kind": str, "event_type": str, "conditions": ["type": "object", "additionalProperties": str], "survey_id": uuid,
            "channel": str, "delay_minutes": int, "sampling_rate": num, "every_days": optInt, "next_run_at": optDate, "active": bool,
            "version": int, "created_at": optDate, "updated_at": optDate,
        ], required: ["id", "name", "kind", "event_type", "conditions", "survey_id", "channel", "delay_minutes", "sampling_rate", "active", "version"])
        s["EventInput"] = ["type": "object", "properties": [
            "type": ["type": ["string", "null"], "examples": ["service_contact_closed"]], "external_id": optStr, "contact_id": optUUID,
            "contact_external_id": optStr, "account_id": optUUID, "account_external_id": optStr, "touchpoint": optStr, "occurred_at": optDate,
            "attributes": ["type": ["object", "null"], "additionalProperties": ["type": ["string", "number", "boolean"]]],
        ]]
        s["EventBatch"] = object(["events": ["type": "array", "items": ref("EventInput"), "maxItems": 10_000]], required: ["events"])
        s["Decision"] = object([
            "contact_id": uuid, "survey_id": optUUID, "trigger_id": optUUID, "invitation_id": optUUID, "channel": str, "kind": str,
            "invited": bool, "reason": optStr, "explanation": str, "at": dateTime,
        ], required: ["contact_id", "channel", "kind", "invited", "explanation", "at"])
        s["EventOutcome"] = object(["index": int, "status": str, "event_id": optUUID, "decisions": ["type": ["array", "null"], "items": ref("Decision")],
                                    "errors": ["type": ["array", "null"], "items": object(["field": str, "message": str], required: ["field", "message"])]],
                                   required: ["index", "status"])
        s["EventBatchReply"] = object(["items": ["type": "array", "items": ref("EventOutcome")], "accepted": int, "duplicates": int, "rejected": int],
                                      required: ["items", "accepted", "duplicates", "rejected"])
        s["ResponseInput"] = ["type": "object", "properties": [
            "survey_id": optUUID, "survey_version": optInt, "external_id": optStr, "contact_id": optUUID, "contact_external_id": optStr,
            "account_external_id": optStr, "touchpoint": optStr, "channel": optStr, "language": optStr, "submitted_at": optDate,
            "answers": ["type": ["object", "null"], "additionalProperties": answer],
        ]]
        s["ResponseBatch"] = object(["responses": ["type": "array", "items": ref("ResponseInput"), "maxItems": 10_000]], required: ["responses"])
        s["Response"] = object([
            "id": uuid, "survey_id": uuid, "survey_version": int, "invitation_id": optUUID, "touchpoint_id": optUUID, "channel": optStr,
            "contact_id": optUUID, "account_id": optUUID, "language": str, "source": str, "status": str,
            "answers": ["type": "object", "additionalProperties": answer], "external_id": optStr, "started_at": dateTime, "submitted_at": optDate,
        ], required: ["id", "survey_id", "survey_version", "language", "source", "status", "answers", "started_at"])
        s["ResponseBatchReply"] = object(["items": ["type": "array", "items": object(["index": int, "status": str, "id": optUUID,
                                                                                      "errors": ["type": ["array", "null"], "items": object(["field": str, "message": str], required: ["field", "message"])]],
                                                                                     required: ["index", "status"])],
                                          "created": int, "duplicates": int, "rejected": int], required: ["items", "created", "duplicates", "rejected"])
        s["FeedbackInput"] = ["type": "object", "properties": [
            "type": ["type": ["string", "null"], "enum": FeedbackRouting.types + [NSNull()]], "text": ["type": ["string", "null"], "maxLength": SurveyLimits.textLength],
            "channel": optStr, "contact_id": optUUID, "contact_external_id": optStr, "touchpoint": optStr,
        ]]
        s["FeedbackStatus"] = object(["status": ["type": "string", "enum": ["open", "closed"]]], required: ["status"])
        s["Feedback"] = object([
            "id": uuid, "type": str, "text": str, "queue": str, "status": str, "channel": optStr, "contact_id": optUUID, "account_id": optUUID,
            "touchpoint_id": optUUID, "source": str, "recorded_by": str, "created_at": dateTime, "closed_at": optDate,
        ], required: ["id", "type", "text", "queue", "status", "source", "recorded_by", "created_at"])
        let override = object(["match": ["type": "object"], "quiet_days": optInt, "max_invitations_per_year": optInt, "max_reminders": optInt], required: ["match"])
        s["SurveySettings"] = object([
            "contact_policy": object(["quiet_days": int, "max_reminders": int, "reminder_after_days": int,
                                      "overrides": ["type": "array", "items": override]], required: []),
            "feedback_queues": ["type": "object", "additionalProperties": str], "sender_name": optStr, "sender_email": optStr,
            "webhook_url": optStr, "webhook_secret_set": ["type": ["boolean", "null"]], "webhook_secret": optStr, "version": optInt,
        ], required: ["contact_policy", "feedback_queues"])
        s["Invitation"] = object([
            "id": uuid, "survey_id": uuid, "contact_id": uuid, "account_id": optUUID, "touchpoint_id": optUUID, "trigger_id": optUUID,
            "channel": str, "language": str, "status": str, "short_code": str, "scheduled_at": dateTime, "sent_at": optDate,
            "answered_at": optDate, "reminders_sent": int, "expires_at": dateTime,
        ], required: ["id", "survey_id", "contact_id", "channel", "language", "status", "short_code", "scheduled_at", "reminders_sent", "expires_at"])
        s["Rate"] = object(["trigger_id": optUUID, "channel": str, "invited": int, "delivered": int, "bounced": int, "answered": int,
                            "rate": optNum, "low": optNum, "high": optNum], required: ["channel", "invited", "delivered", "bounced", "answered"])
        s["Link"] = object(["id": uuid, "survey_id": uuid, "touchpoint_id": optUUID, "channel": optStr, "url": str, "active": bool],
                           required: ["id", "survey_id", "url", "active"])
        s["LinkInput"] = ["type": "object", "properties": ["touchpoint_id": optUUID, "channel": optStr]]
    }
}
