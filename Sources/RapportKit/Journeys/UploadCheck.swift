import Foundation

/// What an uploaded screenshot or document may be. The content decides, not the name or the type the
/// browser claims: a file whose bytes do not match its name is refused, so nothing is served under a
/// false type. SVG and HTML are not accepted at all (they can carry script).
public enum UploadKind: String, Sendable, CaseIterable {
    case png, jpeg, gif, webp, pdf, text, csv, docx, xlsx, pptx

    public var contentType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .pdf: "application/pdf"
        case .text: "text/plain; charset=utf-8"
        case .csv: "text/csv; charset=utf-8"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        }
    }

    public var isImage: Bool { [.png, .jpeg, .gif, .webp].contains(self) }

    var extensions: [String] {
        switch self {
        case .png: ["png"]
        case .jpeg: ["jpg", "jpeg"]
        case .gif: ["gif"]
        case .webp: ["webp"]
        case .pdf: ["pdf"]
        case .text: ["txt", "md"]
        case .csv: ["csv"]
        case .docx: ["docx"]
        case .xlsx: ["xlsx"]
        case .pptx: ["pptx"]
        }
    }

    var described: String {
        switch self {
        case .png: "a PNG image"
        case .jpeg: "a JPEG image"
        case .gif: "a GIF image"
        case .webp: "a WebP image"
        case .pdf: "a PDF document"
        case .text: "plain text"
        case .csv: "a CSV file"
        case .docx, .xlsx, .pptx: "an Office document"
        }
    }
}

public enum UploadCheck {
    public static let maxBytes = 10 * 1024 * 1024
    public static var allowedExtensions: [String] { UploadKind.allCases.flatMap(\.extensions) }

    /// The kind of an upload from its name, its declared type and its first bytes (at least 16 and, for
    /// text, the whole file), or the reason it is refused.
    public static func check(filename: String, declaredType: String?, size: Int, head: [UInt8]) -> Result<UploadKind, FieldProblem> {
        let name = String(filename.prefix(120))
        guard size > 0 else { return .failure(FieldProblem("'\(name)' is empty")) }
        guard size <= maxBytes else {
            return .failure(FieldProblem("'\(name)' is \(megabytes(size)); files may be at most \(megabytes(maxBytes))"))
        }
        let ext = filename.split(separator: ".").count > 1 ? filename.split(separator: ".").last!.lowercased() : ""
        guard let byName = UploadKind.allCases.first(where: { $0.extensions.contains(ext) }) else {
            return .failure(FieldProblem("'\(name)' has a file type that is not accepted; use one of: \(allowedExtensions.joined(separator: ", "))"))
        }
        guard let sniffed = sniff(head, hint: byName) else {
            return .failure(FieldProblem("'\(name)' is named like \(byName.described), but its content is not"))
        }
        guard sniffed == byName || (sniffed.isOffice && byName.isOffice) else {
            return .failure(FieldProblem("'\(name)' is named like \(byName.described), but its content is \(sniffed.described)"))
        }
        if let declared = declaredType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased(),
           !declared.isEmpty, declared != "application/octet-stream",
           declared != byName.contentType.split(separator: ";").first!.lowercased(),
           !(byName == .csv && (declared == "text/plain" || declared == "application/vnd.ms-excel")),
           !(byName == .text && declared == "text/markdown") {
            return .failure(FieldProblem("'\(name)' was sent as \(declared), but it is \(byName.described)"))
        }
        return .success(byName)
    }

    /// The kind the bytes show. Office files are ZIP archives; their name decides which one.
    static func sniff(_ b: [UInt8], hint: UploadKind) -> UploadKind? {
        func starts(_ sig: [UInt8], at offset: Int = 0) -> Bool { b.count >= offset + sig.count && Array(b[offset..<offset + sig.count]) == sig }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return hint.isOffice ? hint : .docx }
        // Text: valid UTF-8 without NUL or other binary control bytes, and not markup a browser would run.
        guard !b.contains(0), String(validating: b, as: UTF8.self) != nil else { return nil }
        let start = String(decoding: b.prefix(256), as: UTF8.self).lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
        if start.hasPrefix("<") { return nil }
        return hint == .csv ? .csv : .text
    }

    static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + 524_288) / 1_048_576
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}

extension UploadKind {
    var isOffice: Bool { self == .docx || self == .xlsx || self == .pptx }
}
