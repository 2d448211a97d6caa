import Foundation
import MultipartKit
import Vapor

/// A multipart form read as it arrives: small fields are kept as text, the file part goes straight to
/// a temporary file, so an upload of any size never sits in memory whole.
struct MultipartUpload {
    var fields: [String: String] = [:]
    var fileName: String?
    /// The type the browser declared for the file part (checked against the content by the caller).
    var fileType: String?
    var filePath: String?
    var fileBytes = 0

    func removeFile() { if let filePath { try? FileManager.default.removeItem(atPath: filePath) } }

    static func receive(_ req: Request, fileField: String, maxFileBytes: Int, tooLargeHint: String = "") async throws -> MultipartUpload {
        guard let type = req.headers.contentType, type.type == "multipart", let boundary = type.parameters["boundary"] else {
            throw AppError.badRequest("Send the form as multipart/form-data.")
        }
        let state = State(fileField: fileField, maxFileBytes: maxFileBytes, tooLargeHint: tooLargeHint)
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in state.header(name, value) }
        parser.onBody = { buffer in state.body(&buffer) }
        parser.onPartComplete = { state.complete() }
        do {
            for try await chunk in req.body {
                try parser.execute(chunk)
                if let problem = state.problem { throw problem }
            }
        } catch {
            state.upload.removeFile()
            throw error
        }
        state.close()
        return state.upload
    }

    private final class State {
        let fileField: String, maxFileBytes: Int, tooLargeHint: String
        var upload = MultipartUpload()
        var name: String?, isFile = false, text = Data(), handle: FileHandle?, partType: String?
        var problem: AppError?

        init(fileField: String, maxFileBytes: Int, tooLargeHint: String) {
            self.fileField = fileField; self.maxFileBytes = maxFileBytes; self.tooLargeHint = tooLargeHint
        }

        func header(_ name: String, _ value: String) {
            if name.lowercased() == "content-type" { partType = value; return }
            guard name.lowercased() == "content-disposition" else { return }
            self.name = Self.parameter("name", in: value)
            let file = Self.parameter("filename", in: value)
            isFile = self.name == fileField && file != nil
            if isFile {
                upload.fileName = file
                let path = NSTemporaryDirectory() + "rapport-upload-\(UUID().uuidString)"
                FileManager.default.createFile(atPath: path, contents: nil)
                upload.filePath = path
                handle = FileHandle(forWritingAtPath: path)
            }
        }

        func body(_ buffer: inout ByteBuffer) {
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            if isFile {
                upload.fileBytes += bytes.count
                if upload.fileBytes > maxFileBytes {
                    problem = .payloadTooLarge("The file is larger than \(maxFileBytes / 1_048_576) MB\(tooLargeHint).")
                    return
                }
                handle?.write(Data(bytes))
            } else if text.count + bytes.count <= 10_000 {
                text.append(contentsOf: bytes)
            } else {
                problem = .payloadTooLarge("The form field '\(name ?? "?")' is too long.")
            }
        }

        func complete() {
            if isFile { try? handle?.close(); handle = nil; upload.fileType = partType }
            else if let name { upload.fields[name] = String(decoding: text, as: UTF8.self) }
            name = nil; isFile = false; text = Data(); partType = nil
        }

        func close() { try? handle?.close() }

        static func parameter(_ key: String, in header: String) -> String? {
            for part in header.split(separator: ";") {
                let kv = part.trimmingCharacters(in: .whitespaces)
                guard kv.lowercased().hasPrefix(key + "=") else { continue }
                var value = String(kv.dropFirst(key.count + 1))
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
                return value
            }
            return nil
        }
    }
}
