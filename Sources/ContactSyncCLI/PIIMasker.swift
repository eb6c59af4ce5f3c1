/// Masks phone numbers and email addresses in log text: on-call engineers see enough to match
/// a record (`+5582****1122`, `j***@example.com`), not the personal data.
public enum PIIMasker {
    public static func mask(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            // A run of digits (with an optional leading +) of 8 or more is treated as a phone number.
            if chars[i] == "+" || chars[i].isASCIIDigitForMask {
                var j = i + (chars[i] == "+" ? 1 : 0)
                while j < chars.count, chars[j].isASCIIDigitForMask { j += 1 }
                let run = String(chars[i..<j])
                let digits = run.filter(\.isASCIIDigitForMask).count
                if digits >= 8 {
                    let keepHead = run.hasPrefix("+") ? 5 : 4
                    out +=
                        run.prefix(keepHead) + String(repeating: "*", count: max(0, run.count - keepHead - 4))
                        + run.suffix(4)
                } else {
                    out += run
                }
                i = max(j, i + 1)
                continue
            }
            if chars[i] == "@",
                let start = out.lastIndex(where: { !($0.isLetter || $0.isNumber || "._%+-".contains($0)) }).map({
                    out.index(after: $0)
                }) ?? out.startIndex as String.Index?,
                start < out.endIndex, i + 1 < chars.count, chars[i + 1].isLetter || chars[i + 1].isNumber
            {
                let local = out[start...]
                out.replaceSubrange(start..., with: (local.first.map(String.init) ?? "") + "***")
            }
            out.append(chars[i])
            i += 1
        }
        return out
    }
}

extension Character {
    var isASCIIDigitForMask: Bool { isASCII && isNumber }
}
