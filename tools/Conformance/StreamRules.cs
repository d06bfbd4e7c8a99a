using System.Globalization;
using System.Text.Json;

namespace Conformance;

/// <summary>Where a stream must start: a new run's first event, or the event after a position (or a snapshot).</summary>
internal readonly record struct Start(long After, bool NewRun)
{
    public static Start NewRunsFirst => new(0, true);

    public static Start AfterPosition(long after) => new(after, false);

    public override string ToString() => NewRun ? "a new run" : $"after {After}";
}

/// <summary>The rules on a stream's frames: their order and ids, and each one's data against the schema.</summary>
internal static class StreamRules
{
    public static void Check(Report report, string target, string label, EventStream stream, Start start, EventSchemaValidator schema,
        string? runId = null)
    {
        if (!stream.IsEventStream)
        {
            report.Fail(Rules.ContentType, target, $"{label}: {stream.Request} answered {Answer(stream)}");
            return;
        }
        report.Pass(Rules.ContentType, target, $"{label}: 200 text/event-stream");
        FramingRules.Check(report, target, label, stream);
        CheckFirst(report, target, label, stream.Frames, start);
        CheckIds(report, target, label, stream.Frames, runId);
        CheckDone(report, target, label, stream);
        CheckSchema(report, target, label, stream.Frames, schema);
    }

    public static string Answer(EventStream stream) =>
        stream.Failure is { } failure && stream.Status == 0 ? failure : $"{(int)stream.Status} {stream.MediaType ?? "(no content type)"}";

    public static bool TryParseId(string? id, out string runId, out long sequence)
    {
        runId = "";
        sequence = 0;
        var colon = id?.LastIndexOf(':') ?? -1;
        if (id is null || colon <= 0) return false;
        runId = id[..colon];
        return long.TryParse(id.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out sequence) && sequence > 0;
    }

    private static void CheckFirst(Report report, string target, string label, IReadOnlyList<Frame> frames, Start start)
    {
        if (frames.Count == 0)
        {
            report.Fail(Rules.First, target, $"{label}: no frame");
            return;
        }
        var first = frames[0];
        TryParseId(first.Id, out var runId, out var sequence);
        string? fault = null;
        if (start.NewRun)
        {
            if (first.Type != "run" || sequence != 1) fault = $"a new run's stream starts with {first}, not run (runId:1)";
        }
        else if (first.Type == "snapshot")
        {
            if (sequence < start.After) fault = $"the snapshot {first} is older than the position {start.After}";
            else if (Property(first.Data, "sequence") is { ValueKind: JsonValueKind.Number } n && n.GetInt64() != sequence)
                fault = $"the snapshot {first} says sequence {n.GetInt64()}";
        }
        else if (sequence != start.After + 1) fault = $"a stream after {start.After} starts with {first}, neither a snapshot nor event {start.After + 1}";
        else if ((first.Type == "run") != (start.After == 0)) fault = $"a stream after {start.After} starts with {first}";

        if (fault is null && first.Type == "run" && Property(first.Data, "runId") is { ValueKind: JsonValueKind.String } id && id.GetString() != runId)
            fault = $"run says runId {id.GetString()}, its id {first.Id}";
        if (fault is null && frames.Skip(1).FirstOrDefault(f => f.Type is "run" or "snapshot") is { } misplaced)
            fault = $"{misplaced} comes after the first frame";
        report.Check(Rules.First, target, fault is null, fault is null ? $"{label}: {first} first ({start})" : $"{label}: {fault}");
    }

    private static void CheckIds(Report report, string target, string label, IReadOnlyList<Frame> frames, string? expectedRun)
    {
        string? fault = null;
        string? runId = expectedRun;
        long previous = 0;
        foreach (var frame in frames)
        {
            if (!TryParseId(frame.Id, out var run, out var sequence))
            {
                fault = $"'{frame.Id}' ({frame.Type}) is not runId:seq";
                break;
            }
            runId ??= run;
            if (run != runId)
            {
                fault = $"{frame} names run {run}, not {runId}";
                break;
            }
            if (previous != 0 && sequence != previous + 1)
            {
                fault = sequence == previous ? $"the id {frame.Id} is repeated ({frame.Type})" : $"{frame} follows {runId}:{previous}";
                break;
            }
            previous = sequence;
        }
        var range = frames.Count == 0 ? "no frames" : $"{frames[0].Id} .. {frames[^1].Id}, {frames.Count} frames";
        report.Check(Rules.Ids, target, fault is null, $"{label}: {fault ?? range}");
    }

    private static void CheckDone(Report report, string target, string label, EventStream stream)
    {
        if (stream.Dropped) return; // the reader left before the end: nothing to say about it
        var frames = stream.Frames;
        var dones = frames.Count(f => f.Type == "done");
        string? fault = null;
        if (stream.Failure is { } failure) fault = dones == 0 ? $"no done: {failure}" : failure;
        else if (dones == 0) fault = $"the stream closed after {(frames.Count == 0 ? "no frame" : frames[^1].ToString())} without done";
        else if (dones > 1) fault = $"done came {dones} times";
        else if (frames[^1].Type != "done") fault = $"{frames[^1]} came after done";
        var status = fault is null ? Property(frames[^1].Data, "status") : null;
        report.Check(Rules.DoneLast, target, fault is null,
            $"{label}: {fault ?? $"{frames[^1]} last{(status is { ValueKind: JsonValueKind.String } s ? $" ({s.GetString()})" : "")}, then closed"}");
    }

    private static void CheckSchema(Report report, string target, string label, IReadOnlyList<Frame> frames, EventSchemaValidator schema)
    {
        var faults = new List<string>();
        foreach (var frame in frames)
            if (schema.Validate(frame.Type, frame.Data) is { } fault)
                faults.Add($"{frame}: {fault} in {Shorten(frame.Data)}");
        var types = string.Join(", ", frames.Select(f => f.Type).Distinct());
        report.Check(Rules.Schema, target, faults.Count == 0,
            faults.Count == 0 ? $"{label}: {frames.Count} frames valid ({types})" : $"{label}: {faults.Count} invalid: {string.Join("; ", faults.Take(2))}");
    }

    public static JsonElement? Property(string json, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value) ? value.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
