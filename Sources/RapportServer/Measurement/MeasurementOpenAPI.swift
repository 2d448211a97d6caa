import Foundation
import RapportKit

/// The OpenAPI schemas of the measurement routes.
extension OpenAPIDocument {
    static func measurementSchemas(into s: inout [String: Any]) {
        let optNum: [String: Any] = ["type": ["number", "null"]]
        let optInt: [String: Any] = ["type": ["integer", "null"]]
        let bool: [String: Any] = ["type": "boolean"]
        let guardrail = object(["show_at": int, "bracket_at": int], required: ["show_at", "bracket_at"])
        s["MetricResult"] = object([
            "metric": str, "label": str, "scale": ["type": "array", "items": num], "from": str, "to": str,
            "group_by": ["type": "array", "items": str], "guardrail": guardrail, "window": optInt, "note": optStr,
            "groups": ["type": "array", "items": object([
                "key": ["type": "object", "additionalProperties": str, "description": "The group's dimension values; ids come with a *_name"],
                "n": int, "value": optNum, "low": optNum, "high": optNum, "standard_error": optNum, "method": optStr,
                "state": ["type": "string", "enum": ["shown", "bracketed", "hidden", "not_pooled", "no_data", "undefined"]],
                "pooled": bool, "sources": int, "note": optStr, "changed": ["type": ["boolean", "null"]], "direction": optStr,
                "comparison": ["type": ["object", "null"], "properties": [
                    "previous_n": int, "previous_value": optNum, "difference": optNum, "low": optNum, "high": optNum,
                    "p_value": optNum, "significant": bool, "method": optStr,
                ]],
            ], required: ["key", "n", "state", "pooled", "sources"])],
        ], required: ["metric", "label", "scale", "from", "to", "group_by", "guardrail", "groups"])
        s["MeasurementSettings"] = ["type": "object", "properties": [
            "show_at": ["type": "integer", "minimum": 1, "maximum": 1_000_000], "bracket_at": ["type": "integer", "minimum": 1, "maximum": 1_000_000],
            "version": optInt,
        ], "required": ["show_at", "bracket_at"]]
        s["IndexInput"] = ["type": "object", "properties": [
            "key": ["type": ["string", "null"], "pattern": "^[a-z][a-z0-9_]{0,39}$"], "name": ["type": ["string", "null"], "maxLength": 120],
            "formula": ["type": ["string", "null"], "maxLength": 500, "examples": ["(mean(q_service) + mean(q_price)) / 2"]],
            "target": optNum, "description": ["type": ["string", "null"], "maxLength": 1_000],
        ]]
        s["IndexPatch"] = s["IndexInput"]
        s["Index"] = object([
            "id": uuid, "key": str, "name": str, "formula": str, "target": optNum, "description": optStr,
            "references": ["type": ["array", "null"], "items": str], "version": int,
        ], required: ["id", "key", "name", "formula", "version"])
        s["KPIFreezeInput"] = ["type": "object", "properties": [
            "name": ["type": ["string", "null"], "maxLength": 120],
            "query": ["type": ["object", "null"], "additionalProperties": str,
                      "examples": [["metric": "nps", "kind": "relationship", "from": "2025-01", "to": "2025-12"]]],
        ]]
        s["KPISnapshot"] = object([
            "id": uuid, "seq": int, "name": str, "query": ["type": "object", "additionalProperties": str], "value": optNum, "n": int,
            "low": optNum, "high": optNum, "inputs_digest": str, "method_version": str, "created_by": str, "created_at": dateTime,
            "prev_hash": str, "hash": str,
        ], required: ["id", "seq", "name", "query", "n", "inputs_digest", "method_version", "created_by", "created_at", "prev_hash", "hash"])
        s["KPIVerification"] = object([
            "seq": int, "name": str, "status": ["type": "string", "enum": ["verified", "broken"]], "problems": ["type": "array", "items": str],
            "value": optNum, "recomputed_value": optNum, "n": int, "recomputed_n": optInt,
        ], required: ["seq", "name", "status", "problems", "n"])
    }
}
