import Foundation

/// The expiry timeline of an HTML report, as inline SVG: time runs left to right in four bands (expired, within
/// `--min-days`, within 90 days, later), one mark per certificate, today as a line.
///
/// Each band has a fixed share of the width and its own linear scale, so that the few days that matter are not
/// squeezed to a pixel beside ten years of "later"; the boundary dates are written under the axis.
struct HTMLTimeline {
    /// One certificate on the timeline.
    struct Mark {
        let expires: Date
        let tone: ReportRow.Tone
        let label: String
    }

    /// The bands, left to right: CSS class, title, share of the width.
    struct Band {
        let name: String
        let title: String
        let start: Date
        let end: Date
        let share: Double
    }

    let now: Date
    let minDays: Int
    let marks: [Mark]

    static let width = 1000.0
    static let height = 230.0
    private static let left = 20.0
    private static let right = 980.0
    private static let top = 34.0
    private static let bottom = 178.0
    private static let day = 86_400.0

    var bands: [Band] {
        let soon = now.addingTimeInterval(Double(minDays) * Self.day)
        let quarter = max(soon, now.addingTimeInterval(90 * Self.day))
        let earliest = min(marks.map(\.expires).min() ?? now, now.addingTimeInterval(-30 * Self.day))
        let latest = max(marks.map(\.expires).max() ?? now, quarter.addingTimeInterval(275 * Self.day))
        let all = [
            Band(name: "expired", title: "expired", start: earliest, end: now, share: 0.2),
            Band(name: "soon", title: "within \(minDays) days", start: now, end: soon, share: 0.2),
            Band(name: "quarter", title: "within 90 days", start: soon, end: quarter, share: 0.2),
            Band(name: "later", title: "later", start: quarter, end: latest, share: 0.4),
        ]
        // A band of no length (--min-days 90 or more leaves none "within 90 days") gives its share to the others.
        let kept = all.filter { $0.end > $0.start }
        let total = kept.map(\.share).reduce(0, +)
        return kept.map { Band(name: $0.name, title: $0.title, start: $0.start, end: $0.end, share: $0.share / total) }
    }

    /// The x coordinate of a date.
    func x(_ date: Date, in bands: [Band]) -> Double {
        var offset = Self.left
        let span = Self.right - Self.left
        for band in bands {
            let width = band.share * span
            if date <= band.end || band.name == bands.last?.name {
                let fraction = (date.timeIntervalSince(band.start) / band.end.timeIntervalSince(band.start))
                return offset + width * min(1, max(0, fraction))
            }
            offset += width
        }
        return Self.right
    }

    /// The SVG element.
    var svg: String {
        let bands = self.bands
        var text =
            "<svg id=\"timeline-svg\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(Self.width)) "
            + "\(Int(Self.height))\" role=\"img\" aria-labelledby=\"timeline-title\">"
            + "<title id=\"timeline-title\">Expiry of \(marks.count) certificates</title>"
        var offset = Self.left
        for band in bands {
            let width = band.share * (Self.right - Self.left)
            text +=
                "<rect class=\"band band-\(band.name)\" x=\"\(f(offset))\" y=\"\(f(Self.top))\" "
                + "width=\"\(f(width))\" height=\"\(f(Self.bottom - Self.top))\"><title>\(HTMLText.escape(band.title))"
                + "</title></rect>"
                + "<text class=\"band-label\" x=\"\(f(offset + 6))\" y=\"\(f(Self.top - 10))\">"
                + HTMLText.escape(band.title) + "</text>"
                + "<text class=\"axis-label\" x=\"\(f(offset))\" y=\"\(f(Self.bottom + 18))\">"
                + Self.dayString(band.start) + "</text>"
            offset += width
        }
        if let last = bands.last {
            text +=
                "<text class=\"axis-label end\" x=\"\(f(Self.right))\" y=\"\(f(Self.bottom + 18))\">"
                + Self.dayString(last.end) + "</text>"
        }
        text +=
            "<line class=\"axis\" x1=\"\(f(Self.left))\" y1=\"\(f(Self.bottom))\" x2=\"\(f(Self.right))\" "
            + "y2=\"\(f(Self.bottom))\"/>"
        // Marks on the same spot are spread over eight rows.
        let rowHeight = (Self.bottom - Self.top - 24) / 7
        for (index, mark) in marks.enumerated() {
            let days = Int((mark.expires.timeIntervalSince(now) / Self.day).rounded(.down))
            text +=
                "<circle class=\"mark \(mark.tone.rawValue)\" cx=\"\(f(x(mark.expires, in: bands)))\" "
                + "cy=\"\(f(Self.top + 12 + Double(index % 8) * rowHeight))\" r=\"6\"><title>"
                + HTMLText.escape(mark.label) + " — expires " + Self.dayString(mark.expires)
                + " (\(days) days)</title></circle>"
        }
        let today = x(now, in: bands)
        text +=
            "<line class=\"today\" x1=\"\(f(today))\" y1=\"\(f(Self.top - 4))\" x2=\"\(f(today))\" "
            + "y2=\"\(f(Self.bottom + 4))\"/>"
            + "<text class=\"today-label\" x=\"\(f(today))\" y=\"\(f(Self.bottom + 40))\">today "
            + Self.dayString(now) + "</text>"
        return text + "</svg>"
    }

    static func dayString(_ date: Date) -> String { String(ISO8601.string(date).prefix(10)) }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
