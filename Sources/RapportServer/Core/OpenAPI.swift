import Foundation
import RapportKit
import Vapor

/// Builds the OpenAPI 3.1 document from the registered routes and the field schemas: the document is
/// generated from what the server does, never written beside it.
enum OpenAPIDocument {
    static func build(_ routes: [APIRoute], serverURL: String) -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for route in routes {
            var op: [String: Any] = [
                "summary": route.summary,
                "tags": [route.tag],
                "operationId": operationID(route),
                "description": "Requires the permission `\(route.permission.rawValue)`: roles " +
                    Role.allCases.filter { $0.can(route.permission) }.map(\.rawValue).joined(separator: ", ") + ".",
            ]
            var parameters: [[String: Any]] = []
            for name in pathParameters(route.path) {
                let schema: [String: Any] = name == "number" ? ["type": "integer", "minimum": 1] : ["type": "string", "format": "uuid"]
                parameters.append(["name": name, "in": "path", "required": true, "schema": schema])
            }
            for q in route.queryParameters {
                var schema: [String: Any] = ["type": q.type]
                if let e = q.enumValues { schema["enum"] = e }
                if let f = q.format { schema["format"] = f }
                if let m = q.minimum { schema["minimum"] = m }
                if let m = q.maximum { schema["maximum"] = m }
                parameters.append(["name": q.name, "in": "query", "required": false, "description": q.summary, "schema": schema])
            }
            if route.conditional && route.method != .GET {
                parameters.append(["name": "If-Match", "in": "header", "required": false,
                                   "description": "The ETag you loaded; the change is refused with 412 if the record changed since.",
                                   "schema": ["type": "string"]])
            }
            if route.method == .POST {
                parameters.append(["name": IdempotencyMiddleware.header, "in": "header", "required": false,
                                   "description": "Send the same key when retrying: the first answer is replayed instead of creating a second record.",
                                   "schema": ["type": "string", "minLength": 1, "maxLength": 200]])
            }
            if !parameters.isEmpty { op["parameters"] = parameters }
            if route.binaryRequest {
                op["requestBody"] = ["required": true, "content": ["application/octet-stream": ["schema": ["type": "string", "format": "binary"]]]]
            }
            if let request = route.requestSchema {
                let name = route.method == .PATCH ? request.replacingOccurrences(of: "Input", with: "Patch") : request
                op["requestBody"] = ["required": true, "content": ["application/json": ["schema": ref(name)]]]
            }
            var responses: [String: Any] = [:]
            var success: [String: Any] = ["description": "Success"]
            switch route.response {
            case .object(let name): success["content"] = ["application/json": ["schema": ref(name)]]
            case .list(let name): success["content"] = ["application/json": ["schema": listSchema(name)]]
            case .none: break
            // A file comes back under the type its content was checked to be (image/png, application/pdf, …).
            case .binary: success["content"] = ["*/*": ["schema": ["type": "string", "format": "binary"]]]
            }
            if route.conditional && route.method == .GET { success["headers"] = ["ETag": ["schema": ["type": "string"]]] }
            responses[String(route.successStatus)] = success
            for (code, why) in errorResponses(route) {
                responses[code] = ["description": why, "content": ["application/problem+json": ["schema": ref("Problem")]]]
            }
            op["responses"] = responses
            op["security"] = [["bearer": [String]()]]
            paths["/api/v1" + route.path, default: [:]][route.method.rawValue.lowercased()] = op
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "Rapport API", "version": "1",
                     "description": "Customer experience and customer success. Bearer tokens come from `rapport token create` or Settings → API tokens. Lists page with `cursor`; writes accept `Idempotency-Key`; changes accept `If-Match`."],
            "servers": [["url": serverURL]],
            "paths": paths,
            "components": ["schemas": schemas(), "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]]],
        ]
    }

    static func operationID(_ r: APIRoute) -> String {
        let words = r.path.split(separator: "/").map { $0.hasPrefix("{") ? "By" + $0.dropFirst().dropLast().capitalized : $0.replacingOccurrences(of: "-", with: "_").capitalized }
        return r.method.rawValue.lowercased() + words.joined()
    }

    static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
    }

    static func errorResponses(_ r: APIRoute) -> [(String, String)] {
        var out = [("400", "The request cannot be read"), ("401", "No valid token"), ("403", "The token's role lacks the permission"),
                   ("422", "Invalid input; `errors` names each field"), ("429", "Too many requests")]
        if !pathParameters(r.path).isEmpty { out.append(("404", "Not found in this workspace")) }
        if r.method != .GET { out += [("409", "Conflicts with existing data"), ("413", "The body is too large")] }
        if r.conditional && r.method != .GET { out.append(("412", "The record changed since the given ETag")) }
        return out
    }

    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }

    static func listSchema(_ item: String) -> [String: Any] {
        ["type": "object", "required": ["items", "next_cursor"], "properties": [
            "items": ["type": "array", "items": ref(item)],
            "next_cursor": ["type": ["string", "null"], "description": "Pass as `cursor` for the next page; null on the last page"],
        ]]
    }

    // MARK: schemas

    static func input(_ schema: EntitySchema, patch: Bool, extra: [String: Any] = [:]) -> [String: Any] {
        var props: [String: Any] = [:]
        for f in schema.fields {
            var p: [String: Any]
            switch f.kind {
            case .text(let max): p = ["type": ["string", "null"], "maxLength": max]
            case .email: p = ["type": ["string", "null"], "format": "email", "maxLength": 254]
            case .phone: p = ["type": ["string", "null"], "pattern": "^[+0-9 ()/-]{6,30}$"]
            case .country: p = ["type": ["string", "null"], "pattern": "^[A-Za-z]{2}$", "examples": ["DE"]]
            case .currency: p = ["type": ["string", "null"], "pattern": "^[A-Za-z]{3}$", "examples": ["EUR"]]
            case .language: p = ["type": ["string", "null"], "pattern": "^[A-Za-z]{2}([-_][A-Za-z]{2})?$", "examples": ["de"]]
            case .date: p = ["type": ["string", "null"], "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$|^[0-9]{2}\\.[0-9]{2}\\.[0-9]{4}$", "examples": ["2026-11-22"]]
            case .decimal: p = ["type": ["number", "string", "null"]]
            case .integer(let min, let max):
                p = ["type": ["integer", "null"]]; if let min { p["minimum"] = min }; if let max { p["maximum"] = max }
            case .choice(let allowed): p = ["type": ["string", "null"], "enum": allowed + [NSNull()]]
            case .list(let allowed): p = ["type": ["array", "string", "null"], "items": ["type": "string", "enum": allowed]]
            case .uuid: p = ["type": ["string", "null"], "format": "uuid"]
            case .boolean: p = ["type": ["boolean", "string", "null"]]
            case .tags(let maxItems, let maxLength):
                p = ["type": ["array", "string", "null"], "maxItems": maxItems, "items": ["type": "string", "maxLength": maxLength]]
            }
            if f.required, case .text = f.kind { p["type"] = "string"; p["minLength"] = 1; p["pattern"] = "\\S" }
            p["description"] = f.summary
            props[f.name] = p
        }
        for (k, v) in extra { props[k] = v }
        var s: [String: Any] = ["type": "object", "properties": props, "additionalProperties": false]
        let required = schema.fields.filter(\.required).map(\.name)
        if !patch && !required.isEmpty { s["required"] = required }
        return s
    }

    static func object(_ props: [String: [String: Any]], required: [String]) -> [String: Any] {
        ["type": "object", "properties": props, "required": required]
    }

    static var uuid: [String: Any] { ["type": "string", "format": "uuid"] }
    static var optUUID: [String: Any] { ["type": ["string", "null"], "format": "uuid"] }
    static var str: [String: Any] { ["type": "string"] }
    static var optStr: [String: Any] { ["type": ["string", "null"]] }
    static var dateTime: [String: Any] { ["type": "string", "format": "date-time"] }
    static var int: [String: Any] { ["type": "integer"] }
    static var num: [String: Any] { ["type": "number"] }

    static func schemas() -> [String: Any] {
        let attributes: [String: Any] = ["type": ["object", "null"], "additionalProperties": ["type": ["string", "number", "boolean"]], "description": "Custom attributes: name → text"]
        var s: [String: Any] = [:]
        for (name, schema, extra) in [("Account", CustomerSchemas.account, ["attributes": attributes]), ("Contact", CustomerSchemas.contact, [:]),
                                      ("Contract", CustomerSchemas.contract, [:])] as [(String, EntitySchema, [String: Any])] {
            s[name + "Input"] = input(schema, patch: false, extra: extra)
            s[name + "Patch"] = input(schema, patch: true, extra: extra)
        }
        for (name, schema) in [("Journey", JourneySchemas.journey), ("Phase", JourneySchemas.phase), ("Touchpoint", JourneySchemas.touchpoint)] {
            s[name + "Input"] = input(schema, patch: false)
            s[name + "Patch"] = input(schema, patch: true)
        }
        s["AssessmentInput"] = input(JourneySchemas.assessment, patch: false)
        s["PhaseNoteInput"] = input(JourneySchemas.phaseNote, patch: false)
        s["MaturityInput"] = input(JourneySchemas.maturity, patch: false)
        s["ChannelInput"] = input(JourneySchemas.channel, patch: false)
        s["PhaseOrder"] = ["type": "object", "additionalProperties": false, "required": ["phases"],
                           "properties": ["phases": ["type": ["array", "string"], "items": str, "description": "Every phase's slug or id once, first phase first"]]]
        let strings: [String: Any] = ["type": "array", "items": str]
        let optNum: [String: Any] = ["type": ["number", "null"]]
        let ref3: [String: Any] = ["type": "array", "items": object(["id": uuid, "slug": str, "name": str], required: ["id", "slug", "name"])]
        s["Phase"] = object(["id": uuid, "slug": str, "name": str, "position": int, "description": str, "version": int],
                            required: ["id", "slug", "name", "position", "version"])
        s["Journey"] = object([
            "id": uuid, "slug": str, "name": str, "description": str, "parent_journey_id": uuid, "variant_of_id": uuid, "variant_channel": str,
            "segment": str, "persona": str, "owner_id": uuid, "owner_email": str, "phases": ["type": "array", "items": ref("Phase")],
            "version": int, "created_at": dateTime, "updated_at": dateTime,
        ], required: ["id", "slug", "name", "phases", "version"])
        s["Touchpoint"] = object([
            "id": uuid, "external_id": str, "slug": str, "name": str, "description": str, "url": str, "channel": str, "journey_id": uuid,
            "journey_slug": str, "phases": ref3, "direction": str, "products": strings, "target_groups": strings, "feedback_measured": ["type": "boolean"],
            "improvement_needs": str, "sub_journeys": ref3, "responsible_department": str, "co_departments": strings, "ownership": str,
            "controllable": ["type": "boolean"],
            "assessment": object(["relevance": num, "quality": num, "n": int, "total": int, "last_assessed_at": dateTime, "quadrant": str],
                                 required: ["relevance", "quality", "n", "total", "last_assessed_at", "quadrant"]),
            "version": int, "created_at": dateTime, "updated_at": dateTime,
        ], required: ["id", "slug", "name", "channel", "phases", "products", "target_groups", "feedback_measured", "sub_journeys",
                      "co_departments", "ownership", "controllable", "version"])
        s["Assessment"] = object([
            "id": uuid, "touchpoint_id": uuid, "assessed_by": uuid, "assessor": str, "assessed_at": dateTime, "relevance": int, "quality": int,
            "sub_touchpoints": strings, "stakeholders": strings, "customer_jobs": str, "expectations": str, "emotions": str, "note": str,
        ], required: ["id", "touchpoint_id", "assessor", "assessed_at", "relevance", "quality", "sub_touchpoints", "stakeholders"])
        s["File"] = object(["id": uuid, "touchpoint_id": uuid, "filename": str, "kind": str, "content_type": str, "size": int, "sha256": str,
                            "uploaded_by": str, "created_at": dateTime], required: ["id", "touchpoint_id", "filename", "kind", "content_type", "size", "sha256"])
        s["PhaseNote"] = object(["id": uuid, "phase_id": uuid, "kind": str, "segment": str, "text": str, "created_by": str],
                                required: ["id", "phase_id", "kind", "text", "created_by"])
        let tpRef = object(["id": uuid, "slug": str, "name": str, "quality": optNum, "relevance": optNum, "n": int], required: ["id", "slug", "name", "n"])
        s["JourneyMap"] = object([
            "journey": ref("Journey"), "channels": strings,
            "cells": ["type": "array", "items": object(["phase_id": uuid, "channel": str, "touchpoints": ["type": "array", "items": tpRef]],
                                                       required: ["phase_id", "channel", "touchpoints"])],
            "unplaced": ["type": "array", "items": tpRef], "notes": ["type": "array", "items": ref("PhaseNote")],
            "curve": ["type": "array", "items": object(["phase_id": uuid, "value": optNum, "low": optNum, "high": optNum, "n": int,
                                                        "assessed_touchpoints": int, "touchpoints": int, "source": ["type": "string", "enum": ["assessed_quality", "measured_nps"]],
                                                        "state": ["type": ["string", "null"], "enum": ["shown", "bracketed", "hidden", "no_data", NSNull()] as [Any]]],
                                                       required: ["phase_id", "n", "assessed_touchpoints", "touchpoints", "source"])],
            "sub_journeys": ref3, "variants": ref3,
        ], required: ["journey", "channels", "cells", "unplaced", "notes", "curve", "sub_journeys", "variants"])
        s["MaturityEntry"] = object(["milestone": str, "level": str, "evidence": str, "recorded_by": str, "recorded_at": dateTime],
                                    required: ["milestone", "level", "recorded_by", "recorded_at"])
        s["Maturity"] = object(["journey_id": uuid, "journey_slug": str, "journey_name": str, "percent": int, "stage": int,
                                "milestones": ["type": "array", "items": ["oneOf": [ref("MaturityEntry"), ["type": "null"]]]], "levels": strings],
                               required: ["journey_id", "journey_slug", "journey_name", "percent", "stage", "milestones", "levels"])
        s["Channel"] = object(["id": uuid, "slug": str, "name": str, "name_de": str, "position": int], required: ["id", "slug", "name", "name_de", "position"])
        s["ContractEventInput"] = input(CustomerSchemas.contractEvent, patch: false)
        s["ConsentInput"] = input(CustomerSchemas.consent, patch: false)
        s["Account"] = object([
            "id": uuid, "external_id": str, "name": str, "kind": str, "parent_id": uuid, "segment": str, "industry": str,
            "country": str, "size": str, "coverage_model": str, "owner_id": uuid, "owner_email": str,
            "attributes": ["type": "object", "additionalProperties": ["type": "string"]], "version": int, "created_at": dateTime, "updated_at": dateTime,
        ], required: ["id", "name", "kind", "coverage_model", "attributes", "version"])
        s["Contact"] = object([
            "id": uuid, "external_id": str, "account_id": uuid, "first_name": str, "last_name": str, "email": str, "phone": str,
            "role": str, "stakeholder_side": str, "language": str, "channel_preferences": ["type": "array", "items": str],
            "erased": ["type": "boolean"], "version": int, "created_at": dateTime, "updated_at": dateTime,
        ], required: ["id", "last_name", "stakeholder_side", "channel_preferences", "erased", "version"])
        s["Contract"] = object([
            "id": uuid, "external_id": str, "account_id": uuid, "product": str, "start_date": str, "end_date": str, "renewal_date": str,
            "arr": num, "currency": str, "status": str, "seats": ["type": ["integer", "null"]], "version": int, "created_at": dateTime, "updated_at": dateTime,
        ], required: ["id", "account_id", "product", "start_date", "arr", "currency", "status", "version"])
        s["ContractEvent"] = object([
            "id": uuid, "contract_id": uuid, "account_id": uuid, "kind": str, "occurred_on": str, "arr_delta": num, "reason": str, "created_at": dateTime,
        ], required: ["id", "contract_id", "account_id", "kind", "occurred_on", "arr_delta"])
        s["Consent"] = object([
            "id": uuid, "contact_id": uuid, "purpose": str, "channel": str, "status": str, "source": str, "recorded_at": dateTime, "recorded_by": str,
        ], required: ["id", "contact_id", "purpose", "channel", "status", "source", "recorded_at"])
        s["TimelineEvent"] = object([
            "id": uuid, "account_id": uuid, "contact_id": uuid, "occurred_at": dateTime, "kind": str, "title": str, "detail": str,
            "subject_type": str, "subject_id": uuid, "touchpoint_id": uuid, "phase_id": uuid,
        ], required: ["id", "occurred_at", "kind", "title"])
        s["PersonalDataExport"] = object([
            "exported_at": dateTime, "workspace": str, "contact": ref("Contact"),
            "consents": ["type": "array", "items": ref("Consent")], "timeline": ["type": "array", "items": ref("TimelineEvent")],
        ], required: ["exported_at", "workspace", "contact", "consents", "timeline"])
        s["Problem"] = object([
            "type": str, "title": str, "status": int, "detail": str,
            "errors": ["type": "array", "items": object(["field": str, "message": str], required: ["field", "message"])],
        ], required: ["type", "title", "status", "detail"])
        // Each module names its own schemas; a name defined twice would silently replace the other module's.
        for module in [surveySchemas, measurementSchemas, successSchemas] as [(inout [String: Any]) -> Void] {
            var own: [String: Any] = [:]
            module(&own)
            let twice = Set(own.keys).intersection(s.keys)
            precondition(twice.isEmpty, "OpenAPI schemas defined twice: \(twice.sorted().joined(separator: ", "))")
            s.merge(own) { first, _ in first }
        }
        return s
    }

    static func json(_ doc: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    }
}
