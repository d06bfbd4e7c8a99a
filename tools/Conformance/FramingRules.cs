using System.Text;

namespace Conformance;

/// <summary>
/// The framing rules, checked on a stream's raw bytes: UTF-8; frames of <c>id</c>, <c>event</c> and <c>data</c> lines
/// (one each) and nothing else but <c>retry</c>, which the first frame must carry; comments only as heartbeats, in
/// blocks of their own.
/// </summary>
internal static class FramingRules
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void Check(Report report, string target, string label, EventStream stream)
    {
        var bytes = stream.Ended ? stream.Body : UpToTheLastLine(stream.Body);
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            report.Fail(Rules.Utf8, target, $"{label}: not UTF-8 at byte {e.Index}");
            return;
        }
        report.Pass(Rules.Utf8, target, $"{label}: {bytes.Length:N0} bytes");
        if (text.StartsWith('\uFEFF')) text = text[1..]; // SSE allows a byte order mark first

        var frames = 0;
        var heartbeats = 0;
        List<string> lineFaults = [], retryFaults = [], commentFaults = [];
        var block = new List<string>();
        foreach (var line in Lines(text))
        {
            if (line.Length > 0)
            {
                block.Add(line);
                continue;
            }
            if (block.Count == 0) continue;
            if (block.All(IsComment)) heartbeats++;
            else CheckFrame(block, ++frames, lineFaults, retryFaults, commentFaults);
            block.Clear();
        }
        if (block.Count > 0 && stream.Ended)
            lineFaults.Add($"the stream ended inside a frame (no blank line after '{Shorten(block[^1])}'), which a client discards");
        if (frames == 0 && stream.Ended) retryFaults.Add("no frame at all");

        var counts = $"{label}: {frames} frames, {heartbeats} heartbeats";
        report.Check(Rules.Lines, target, lineFaults.Count == 0, lineFaults.Count == 0 ? counts : $"{label}: {string.Join("; ", lineFaults.Take(2))}");
        report.Check(Rules.Retry, target, retryFaults.Count == 0, retryFaults.Count == 0 ? $"{label}: retry on the first frame" : $"{label}: {retryFaults[0]}");
        report.Check(Rules.Heartbeats, target, commentFaults.Count == 0, commentFaults.Count == 0 ? counts : $"{label}: {string.Join("; ", commentFaults.Take(2))}");
    }

    private static void CheckFrame(List<string> block, int number, List<string> lineFaults, List<string> retryFaults, List<string> commentFaults)
    {
        var fields = block.Where(l => !IsComment(l)).Select(Field).ToList();
        var id = fields.FirstOrDefault(f => f.Name == "id").Value;
        var name = $"frame {number}{(id is null ? "" : $" ({id})")}";
        foreach (var comment in block.Where(IsComment))
            commentFaults.Add($"{name} has a comment line '{Shorten(comment)}' among its fields");
        foreach (var unknown in fields.Where(f => f.Name is not ("id" or "event" or "data" or "retry")))
            lineFaults.Add($"{name} has a line '{Shorten(unknown.Line)}' that is not id, event, data or retry");
        foreach (var kind in new[] { "id", "event", "data" })
        {
            var count = fields.Count(f => f.Name == kind);
            if (count != 1) lineFaults.Add($"{name} has {count} {kind} lines, not 1");
        }
        var retries = fields.Where(f => f.Name == "retry").ToList();
        if (retries.Count > 1) lineFaults.Add($"{name} has {retries.Count} retry lines");
        if (retries.Any(r => r.Value.Length == 0 || !r.Value.All(char.IsAsciiDigit)))
            lineFaults.Add($"{name} has a retry that is not a number of milliseconds: '{Shorten(retries[0].Line)}'");
        if (number == 1 && retries.Count == 0) retryFaults.Add($"the first frame{(id is null ? "" : $" ({id})")} has no retry line");
    }

    private static bool IsComment(string line) => line.StartsWith(':');

    /// <summary>A field line as SSE reads it: the name before the first colon, the value after it and one space.</summary>
    private static (string Name, string Value, string Line) Field(string line)
    {
        var colon = line.IndexOf(':');
        if (colon < 0) return (line, "", line);
        var value = line[(colon + 1)..];
        return (line[..colon], value.StartsWith(' ') ? value[1..] : value, line);
    }

    /// <summary>Lines as SSE splits them: at CRLF, LF or CR.</summary>
    private static IEnumerable<string> Lines(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is not ('\r' or '\n')) continue;
            yield return text[start..i];
            if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            start = i + 1;
        }
        if (start < text.Length) yield return text[start..];
    }

    /// <summary>A dropped stream's bytes up to its last complete line (CR and LF never occur inside a UTF-8 sequence).</summary>
    private static byte[] UpToTheLastLine(byte[] body)
    {
        var end = Array.FindLastIndex(body, b => b is (byte)'\n' or (byte)'\r');
        return end < 0 ? [] : body[..(end + 1)];
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
