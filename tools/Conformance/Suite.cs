using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Conformance;

/// <summary>
/// The checks, against one deployment: every stream endpoint and <c>/runs</c> read whole (framing, order, schema) and
/// read by a client that drops and resumes (the same rules, and the resume rule); the answers before any stream (204,
/// 400, 404, problem details); a tool call's approval; and a cancel, timed alone.
/// </summary>
internal sealed class Suite(Options options, EventSchemaValidator schema, Report report)
{
    /// <summary>How many frames the dropping reader takes before it drops.</summary>
    private const int DropAfter = 5;

    private static readonly TimeSpan CancelWithin = TimeSpan.FromSeconds(1);

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        // A response left unread closes its connection at once, as a client losing its network would, instead of
        // being drained for reuse (which would keep the server's reader attached).
        MaxResponseDrainSize = 0,
        AllowAutoRedirect = false,
    })
    {
        BaseAddress = options.Url,
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>A run id no deployment knows: 16 random hex digits, as the service's own ids are.</summary>
    private readonly string _unknownRun = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();

    public async Task RunAsync()
    {
        var targets = Targets().ToList();
        foreach (var target in targets) report.Declare(target.Name);
        await Task.WhenAll(targets.Select(CheckTargetAsync).Append(CheckAnswersBeforeAnyStreamAsync()).Append(CheckApprovalAsync()));
        await CheckCancelAsync(); // alone: nothing else slows the second it measures
    }

    /// <summary>A stream endpoint: how to start a run on it, how a client reconnects to it, and how its stream starts.</summary>
    private sealed record Target(string Name, Func<Task<HttpRequestMessage?>> OpenAsync, Func<string, string, HttpRequestMessage> Reconnect, Start Start);

    private IEnumerable<Target> Targets()
    {
        Target Get(string path, string prompt, string extra = "")
        {
            var url = $"{path}?prompt={Uri.EscapeDataString(prompt)}&maxSeconds={options.MaxSeconds}{extra}";
            return new Target($"GET /{path}", () => Task.FromResult<HttpRequestMessage?>(new HttpRequestMessage(HttpMethod.Get, url)),
                (_, lastEventId) => WithLastEventId(new HttpRequestMessage(HttpMethod.Get, url), lastEventId), Start.NewRunsFirst);
        }

        yield return Get("stream/text", "Explain tides");
        var body = new JsonObject { ["prompt"] = "Explain tides", ["maxSeconds"] = options.MaxSeconds };
        yield return new Target("POST /stream/text", () => Task.FromResult<HttpRequestMessage?>(Post("stream/text", body)),
            (_, lastEventId) => WithLastEventId(Post("stream/text", body), lastEventId), Start.NewRunsFirst);
        yield return Get("stream/analysis", "Analyze our 2024 sales");
        yield return Get("stream/progress", "Explain queues", "&every=5");
        yield return Get("stream/buffered", "Explain buffers", "&minChars=40&maxDelayMs=100");
        yield return Get("stream/flaky", "Check stock in Europe", "&fail=true");
        // A background run, read through its events resource: from its first event still held (run, or a snapshot).
        yield return new Target("POST /runs", async () => await StartRunAsync("Explain queues", new JsonObject { ["every"] = 10 }, Rules.ContentType, "POST /runs") is { } runId
                ? new HttpRequestMessage(HttpMethod.Get, $"runs/{runId}/events")
                : null,
            (runId, lastEventId) => WithLastEventId(new HttpRequestMessage(HttpMethod.Get, $"runs/{runId}/events"), lastEventId),
            Start.AfterPosition(0));
    }

    private Task CheckTargetAsync(Target target) => Task.WhenAll(ReadWholeAsync(target), DropAndResumeAsync(target));

    private async Task ReadWholeAsync(Target target)
    {
        if (await target.OpenAsync() is not { } request) return;
        var stream = await EventStreamReader.ReadAsync(_http, request, options.Timeout);
        StreamRules.Check(report, target.Name, "whole", stream, target.Start, schema);
    }

    /// <summary>
    /// A reader takes <see cref="DropAfter"/> frames and drops; it reconnects with <c>Last-Event-ID</c>. What it then gets
    /// must be exactly what <c>/runs/{runId}/events</c> holds after the same position, and the frames it had before
    /// what that resource holds from the start: the same run, so no assumption that two runs answer alike.
    /// </summary>
    private async Task DropAndResumeAsync(Target target)
    {
        if (await target.OpenAsync() is not { } request) return;
        var dropped = await EventStreamReader.ReadAsync(_http, request, options.Timeout, dropAfter: DropAfter);
        StreamRules.Check(report, target.Name, dropped.Dropped ? $"dropped after {DropAfter}" : "read before the drop", dropped, target.Start, schema);
        if (!dropped.IsEventStream || dropped.Frames.Count == 0 || !StreamRules.TryParseId(dropped.Frames[^1].Id, out var runId, out _))
        {
            report.Fail(Rules.Resume, target.Name, $"no position to resume from: {dropped.Request} gave {dropped.Frames.Count} frames");
            return;
        }
        // A stream that ended before the reader could drop it is resumed before its last frame.
        var kept = dropped.Dropped ? dropped.Frames.ToList() : dropped.Frames.Take(dropped.Frames.Count - 1).ToList();
        if (kept.Count == 0)
        {
            report.Fail(Rules.Resume, target.Name, $"{dropped.Request} had a single frame");
            return;
        }
        StreamRules.TryParseId(kept[^1].Id, out _, out var position);
        var lastEventId = kept[^1].Id!;

        var resumed = await EventStreamReader.ReadAsync(_http, target.Reconnect(runId, lastEventId), options.Timeout);
        StreamRules.Check(report, target.Name, $"resumed after {position}", resumed, Start.AfterPosition(position), schema, runId);
        var heldAfter = await EventStreamReader.ReadAsync(_http, new HttpRequestMessage(HttpMethod.Get, $"runs/{runId}/events?after={position}"), options.Timeout);
        StreamRules.Check(report, target.Name, $"runs/{{runId}}/events?after={position}", heldAfter, Start.AfterPosition(position), schema, runId);
        var heldFromStart = await EventStreamReader.ReadAsync(_http, new HttpRequestMessage(HttpMethod.Get, $"runs/{runId}/events"), options.Timeout);

        string? fault = null;
        if (!resumed.IsEventStream) fault = $"the reconnect {resumed.Request} answered {StreamRules.Answer(resumed)}";
        else if (!heldAfter.IsEventStream) fault = $"{heldAfter.Request} answered {StreamRules.Answer(heldAfter)}";
        else fault = Difference("the reconnect", resumed.Frames, heldAfter.Frames, $"runs/{runId}/events?after={position}");
        if (fault is null && heldFromStart.IsEventStream)
            fault = Difference($"the {kept.Count} frames before the drop", kept, heldFromStart.Frames, $"runs/{runId}/events", upTo: position);
        report.Check(Rules.Resume, target.Name, fault is null, fault ??
            $"dropped after {position} of run {runId}; the reconnect got {Range(resumed.Frames)}, as runs/{runId}/events?after={position} holds");
    }

    /// <summary>
    /// Null when <paramref name="got"/> has the same frames as <paramref name="held"/>, the events a run holds (id, event
    /// and data, byte for byte), up to the sequence <paramref name="upTo"/>. When either starts with a snapshot, the events
    /// after the later snapshot are compared: those before it are no longer held.
    /// </summary>
    private static string? Difference(string what, IReadOnlyList<Frame> got, IReadOnlyList<Frame> held, string resource, long upTo = long.MaxValue)
    {
        static long Sequence(Frame frame) => StreamRules.TryParseId(frame.Id, out _, out var sequence) ? sequence : -1;
        static long SnapshotAt(IReadOnlyList<Frame> frames) => frames is [{ Type: "snapshot" } first, ..] ? Sequence(first) : 0;
        var from = Math.Max(SnapshotAt(got), SnapshotAt(held));
        var mine = got.Where(f => f.Type != "snapshot" && Sequence(f) > from && Sequence(f) <= upTo).ToList();
        var theirs = held.Where(f => f.Type != "snapshot" && Sequence(f) > from && Sequence(f) <= upTo).ToList();
        for (var i = 0; i < Math.Min(mine.Count, theirs.Count); i++)
        {
            var (a, b) = (mine[i], theirs[i]);
            if (a.Id != b.Id || a.Type != b.Type || a.Data != b.Data)
                return $"{what}: {a} {StreamRules.Shorten(a.Data)} where {resource} holds {b} {StreamRules.Shorten(b.Data)}";
        }
        if (mine.Count != theirs.Count)
            return $"{what}: {mine.Count} events{(from > 0 ? $" after snapshot {from}" : "")} ({Range(mine)}) where {resource} holds {theirs.Count} ({Range(theirs)})";
        return null;
    }

    private static string Range(IReadOnlyList<Frame> frames) =>
        frames.Count == 0 ? "nothing" : frames.Count == 1 ? $"{frames[0]}" : $"{frames[0].Id} .. {frames[^1].Id}";

    /// <summary>The answers the protocol gives before any stream: 204 when there is nothing to continue, 400, 404, problem details.</summary>
    private async Task CheckAnswersBeforeAnyStreamAsync()
    {
        // A finished run of our own, for the positions that have nothing after them and the requests that need a run.
        var runId = await StartRunAsync("Explain tides", [], Rules.NoContent, "a finished run");
        if (runId is null) return;
        var events = await EventStreamReader.ReadAsync(_http, new HttpRequestMessage(HttpMethod.Get, $"runs/{runId}/events"), options.Timeout);
        var last = events.Frames.LastOrDefault(f => f.Type == "done")?.Id;
        if (last is null)
        {
            report.Fail(Rules.NoContent, "a finished run", $"run {runId}'s events did not end with done: {StreamRules.Answer(events)}");
            return;
        }

        var unknown = $"{_unknownRun}:1";
        var text = $"stream/text?prompt={Uri.EscapeDataString("Explain tides")}&maxSeconds={options.MaxSeconds}";
        var checks = new List<Task>
        {
            ExpectAsync(HttpStatusCode.NoContent, "GET /stream/text (Last-Event-ID of an unknown run)",
                WithLastEventId(new HttpRequestMessage(HttpMethod.Get, text), unknown)),
            ExpectAsync(HttpStatusCode.NoContent, "GET /runs/{unknown}/events (Last-Event-ID of it)",
                WithLastEventId(new HttpRequestMessage(HttpMethod.Get, $"runs/{_unknownRun}/events"), unknown)),
            ExpectAsync(HttpStatusCode.NoContent, "GET /stream/text (Last-Event-ID: a finished run's done)",
                WithLastEventId(new HttpRequestMessage(HttpMethod.Get, text), last)),
            ExpectAsync(HttpStatusCode.NoContent, "GET /runs/{runId}/events (Last-Event-ID: its done)",
                WithLastEventId(new HttpRequestMessage(HttpMethod.Get, $"runs/{runId}/events"), last)),

            ExpectAsync(HttpStatusCode.BadRequest, "GET /stream/text?prompt=", new HttpRequestMessage(HttpMethod.Get, "stream/text?prompt=")),
            ExpectAsync(HttpStatusCode.BadRequest, "GET /stream/text (no prompt)", new HttpRequestMessage(HttpMethod.Get, "stream/text")),
            ExpectAsync(HttpStatusCode.BadRequest, "GET /stream/text?maxSeconds=0",
                new HttpRequestMessage(HttpMethod.Get, "stream/text?prompt=Explain%20tides&maxSeconds=0")),
            ExpectAsync(HttpStatusCode.BadRequest, "POST /stream/text (malformed JSON)", new HttpRequestMessage(HttpMethod.Post, "stream/text")
                { Content = new StringContent("{\"prompt\":", Encoding.UTF8, "application/json") }),
            ExpectAsync(HttpStatusCode.BadRequest, "GET /stream/text (Last-Event-ID: not-an-id)",
                WithLastEventId(new HttpRequestMessage(HttpMethod.Get, text), "not-an-id")),
            ExpectAsync(HttpStatusCode.BadRequest, "GET /runs/{runId}/events?after=-1", new HttpRequestMessage(HttpMethod.Get, $"runs/{runId}/events?after=-1")),
            ExpectAsync(HttpStatusCode.BadRequest, "GET /runs/{runId}/events (Last-Event-ID of another run)",
                WithLastEventId(new HttpRequestMessage(HttpMethod.Get, $"runs/{runId}/events"), unknown)),
            ExpectAsync(HttpStatusCode.BadRequest, "POST /runs (unknown agent)",
                Post("runs", new JsonObject { ["agent"] = "no-such-agent", ["prompt"] = "Explain tides" })),
            ExpectAsync(HttpStatusCode.BadRequest, "POST /runs (no prompt)", Post("runs", new JsonObject { ["agent"] = "writer" })),

            ExpectAsync(HttpStatusCode.NotFound, "GET /runs/{unknown}", new HttpRequestMessage(HttpMethod.Get, $"runs/{_unknownRun}")),
            ExpectAsync(HttpStatusCode.NotFound, "GET /runs/{unknown}/events", new HttpRequestMessage(HttpMethod.Get, $"runs/{_unknownRun}/events")),
            ExpectAsync(HttpStatusCode.NotFound, "POST /runs/{unknown}/cancel", new HttpRequestMessage(HttpMethod.Post, $"runs/{_unknownRun}/cancel")),
        };
        await Task.WhenAll(checks);
    }

    private async Task ExpectAsync(HttpStatusCode expected, string target, HttpRequestMessage request)
    {
        var rule = expected switch
        {
            HttpStatusCode.NoContent => Rules.NoContent,
            HttpStatusCode.BadRequest => Rules.BadRequest,
            _ => Rules.NotFound,
        };
        report.Declare(target);
        var (status, mediaType, body) = await AnswerAsync(request);
        var answer = status == 0 ? body : $"{(int)status} {mediaType ?? "(no content type)"}";
        if (status != expected)
        {
            report.Fail(rule, target, $"answered {answer}{(mediaType == "text/event-stream" ? ": a stream" : "")}");
            return;
        }
        if (expected == HttpStatusCode.NoContent)
        {
            report.Check(rule, target, body.Length == 0, body.Length == 0 ? "204, no body" : $"204 with a body: {StreamRules.Shorten(body)}");
            return;
        }
        report.Pass(rule, target, answer);

        var problems = $"the {(int)expected} answers";
        string? fault = null;
        string? title = null;
        if (mediaType != "application/problem+json") fault = $"Content-Type {mediaType ?? "(none)"}";
        else
        {
            try
            {
                var problem = JsonNode.Parse(body) as JsonObject;
                title = problem?["title"] is JsonValue value && value.TryGetValue<string>(out var t) && t.Length > 0 ? t : null;
                if (problem is null) fault = "the body is not a JSON object";
                else if (title is null) fault = "no title";
                else if (problem["status"] is { } given && !(given is JsonValue number && number.TryGetValue<int>(out var code) && code == (int)expected))
                    fault = $"status {given.ToJsonString()} in a {(int)expected} answer";
            }
            catch (JsonException)
            {
                fault = "the body is not JSON";
            }
        }
        report.Check(Rules.ProblemDetails, problems, fault is null, fault is null ? $"{target}: \"{title}\"" : $"{target}: {fault}");
    }

    /// <summary>
    /// A long run is started and read; once it is under way it is cancelled, and its <c>done</c> must say so within a
    /// second of the request. The stream itself must follow every rule too.
    /// </summary>
    private async Task CheckCancelAsync()
    {
        const string target = "POST /runs/{runId}/cancel";
        var runId = await StartRunAsync("Write a long essay about rivers", [], Rules.Cancel, target, maxSeconds: Math.Max(60, options.MaxSeconds));
        if (runId is null) return;
        var underWay = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var frames = 0;
        var reading = EventStreamReader.ReadAsync(_http, new HttpRequestMessage(HttpMethod.Get, $"runs/{runId}/events"), options.Timeout,
            onFrame: _ =>
            {
                if (++frames == 2) underWay.TrySetResult();
            });
        if (await Task.WhenAny(underWay.Task, reading) == reading)
        {
            var early = await reading;
            report.Fail(Rules.Cancel, target, $"the run's stream ended before it could be cancelled ({early.Frames.Count} frames: {StreamRules.Answer(early)})");
            return;
        }

        var sentAt = Stopwatch.GetTimestamp();
        var (status, _, _) = await AnswerAsync(new HttpRequestMessage(HttpMethod.Post, $"runs/{runId}/cancel"));
        var stream = await reading;
        StreamRules.Check(report, "a cancelled run", "whole", stream, Start.AfterPosition(0), schema, runId);
        var (again, _, _) = await AnswerAsync(new HttpRequestMessage(HttpMethod.Post, $"runs/{runId}/cancel"));

        var done = stream.Frames.LastOrDefault(f => f.Type == "done");
        var doneStatus = done is null ? null : StreamRules.Property(done.Data, "status")?.ToString();
        var reason = done is null ? null : StreamRules.Property(done.Data, "reason")?.ToString();
        var after = done is null ? TimeSpan.MaxValue : Stopwatch.GetElapsedTime(sentAt, done.ArrivedAt);
        string? fault = null;
        if (status != HttpStatusCode.Accepted) fault = $"the cancel answered {(int)status}, not 202";
        else if (done is null) fault = $"no done after the cancel: {StreamRules.Answer(stream)}";
        else if ((doneStatus, reason) != ("cancelled", "stopped")) fault = $"done says {{status: {doneStatus}, reason: {reason ?? "null"}}}, not {{cancelled, stopped}}";
        else if (after > CancelWithin) fault = $"done came {after.TotalMilliseconds:0} ms after the cancel";
        else if (again != HttpStatusCode.OK) fault = $"a second cancel answered {(int)again}, not 200";
        report.Check(Rules.Cancel, target, fault is null,
            fault ?? $"202, done {{cancelled, stopped}} {after.TotalMilliseconds:0} ms after the request; a second cancel: 200");
    }

    /// <summary>
    /// An analysis asked to email its report: the analyst's <c>send_report</c> needs a person's decision, so the stream
    /// stops at <c>approval-request</c> and the run waits (<c>GET /runs/{runId}</c>: <c>waiting</c>). The suite approves;
    /// the same decision again is 200, the other one 409, an approval the run does not have 404; the stream then goes on
    /// with <c>approval</c>, the call's <c>tool-result</c> and <c>done</c> {completed}, and follows every stream rule.
    /// A deployment whose analyst asks for no approval (a model that does not call <c>send_report</c>, and ends its run
    /// or keeps going past <c>--timeout</c> without it) cannot be checked: the rule is skipped, with what the run did.
    /// A <c>send_report</c> call without its <c>approval-request</c> fails.
    /// </summary>
    private async Task CheckApprovalAsync()
    {
        const string target = "POST /runs/{runId}/approvals/{approvalId}";
        const string streamTarget = "GET /stream/analysis (email the report)";
        report.Declare(target);
        var prompt = "Analyze our 2024 sales and email the report to conformance@example.com";
        var url = $"stream/analysis?prompt={Uri.EscapeDataString(prompt)}&maxSeconds={Math.Max(60, options.MaxSeconds)}";
        var asked = new TaskCompletionSource<Frame>(TaskCreationOptions.RunContinuationsAsynchronously);
        string? started = null;
        // The whole stream may take the model's time to the request, the decision, then its time to the end.
        var reading = EventStreamReader.ReadAsync(_http, new HttpRequestMessage(HttpMethod.Get, url), options.Timeout * 2,
            onFrame: frame =>
            {
                if (started is null && StreamRules.TryParseId(frame.Id, out var id, out _)) Volatile.Write(ref started, id);
                if (frame.Type == "approval-request") asked.TrySetResult(frame);
            });
        var first = await Task.WhenAny(asked.Task, reading, Task.Delay(options.Timeout));
        if (first != asked.Task)
        {
            // No approval-request in time: a run still going is cancelled (its stream then ends), and what it did is the evidence.
            var gaveUp = first != reading;
            if (gaveUp && Volatile.Read(ref started) is { } going) await AnswerAsync(new HttpRequestMessage(HttpMethod.Post, $"runs/{going}/cancel"));
            var ended = await reading;
            var frames = ended.Frames;
            if (asked.Task.IsCompleted) frames = [.. frames.TakeWhile(f => f.Type != "approval-request")]; // it came as the suite gave up
            var calls = frames.Where(f => f.Type == "tool-call").Select(f => StreamRules.Property(f.Data, "name")?.ToString() ?? "?").ToList();
            var done = frames.LastOrDefault(f => f.Type == "done");
            var end = done is null ? StreamRules.Answer(ended) : $"done {StreamRules.Shorten(done.Data)}";
            var did = calls.Count == 0 ? "no tool calls" : $"tool calls {string.Join(", ", calls)}";
            if (ended.IsEventStream) StreamRules.Check(report, streamTarget, "whole", ended, Start.NewRunsFirst, schema);
            if (!ended.IsEventStream) report.Fail(Rules.Approvals, target, $"{ended.Request} answered {StreamRules.Answer(ended)}");
            else if (calls.Contains("send_report"))
                report.Fail(Rules.Approvals, target, $"send_report was called but no approval-request followed within {options.Timeout.TotalSeconds:0} s ({Range(frames)})");
            else if (gaveUp)
                report.Skip(Rules.Approvals, target, $"no approval-request within {options.Timeout.TotalSeconds:0} s (--timeout): {did} ({frames.Count} frames); the run was cancelled");
            else
                report.Skip(Rules.Approvals, target, $"the analyst ended its run ({end}) without asking for approval: {did}, no send_report");
            return;
        }

        var request = await asked.Task;
        StreamRules.TryParseId(request.Id, out var runId, out _);
        var approvalId = StreamRules.Property(request.Data, "approvalId")?.ToString() ?? "";
        var callId = StreamRules.Property(request.Data, "callId")?.ToString() ?? "";
        var decide = $"runs/{runId}/approvals/{Uri.EscapeDataString(approvalId)}";
        var evidence = new List<string>();
        string? fault = null;

        // The run waits: its record says so (soon after the event, once its checkpoint is stored).
        var status = await WaitForStatusAsync(runId, "waiting");
        if (status != "waiting") fault = $"GET /runs/{runId} says {status ?? "nothing"} after approval-request, not waiting";
        else evidence.Add("waiting");

        if (fault is null)
        {
            var (approved, approvedType, approvedBody) = await AnswerAsync(Post(decide, new JsonObject { ["approved"] = true, ["reason"] = "conformance" }));
            var (again, _, _) = await AnswerAsync(Post(decide, new JsonObject { ["approved"] = true, ["reason"] = "conformance" }));
            var (other, otherType, _) = await AnswerAsync(Post(decide, new JsonObject { ["approved"] = false }));
            var (unknown, unknownType, _) = await AnswerAsync(Post($"runs/{runId}/approvals/no-such-approval-{_unknownRun}", new JsonObject { ["approved"] = true }));
            var answered = StreamRules.Property(approvedBody, "approved")?.ToString();
            if (approved != HttpStatusCode.OK) fault = $"approving answered {Status(approved, approvedType)}, not 200";
            else if (answered != "True" || StreamRules.Property(approvedBody, "approvalId")?.ToString() != approvalId)
                fault = $"approving answered 200 with {StreamRules.Shorten(approvedBody)}, not the decision {{approvalId: {approvalId}, approved: true}}";
            else if (again != HttpStatusCode.OK) fault = $"the same decision again answered {(int)again}, not 200";
            else if (other != HttpStatusCode.Conflict || otherType != "application/problem+json")
                fault = $"the other decision answered {Status(other, otherType)}, not 409 application/problem+json";
            else if (unknown != HttpStatusCode.NotFound || unknownType != "application/problem+json")
                fault = $"an unknown approval answered {Status(unknown, unknownType)}, not 404 application/problem+json";
            else evidence.Add("200, again 200, other 409, unknown 404");
        }

        var stream = await reading;
        StreamRules.Check(report, streamTarget, "whole", stream, Start.NewRunsFirst, schema, runId);
        if (fault is null)
        {
            var after = stream.Frames.SkipWhile(f => f != request).Skip(1).ToList();
            var approval = after.FindIndex(f => f.Type == "approval" && StreamRules.Property(f.Data, "approvalId")?.ToString() == approvalId);
            var result = after.FindIndex(f => f.Type == "tool-result" && StreamRules.Property(f.Data, "callId")?.ToString() == callId);
            var done = after.FindLastIndex(f => f.Type == "done");
            var doneStatus = done < 0 ? null : StreamRules.Property(after[done].Data, "status")?.ToString();
            if (approval < 0) fault = $"no approval event for {approvalId} after the decision ({Range(after)}{(stream.Failure is { } failure ? $"; {failure}" : "")})";
            else if (StreamRules.Property(after[approval].Data, "approved")?.ToString() != "True")
                fault = $"the approval event says {StreamRules.Shorten(after[approval].Data)}, not approved";
            else if (result < approval) fault = $"no tool-result for {callId} after the approval event ({Range(after)})";
            else if (StreamRules.Property(after[result].Data, "error") is { ValueKind: not JsonValueKind.Null } error)
                fault = $"the approved call's tool-result has error {error}";
            else if (done < result || doneStatus != "completed")
                fault = $"the run did not end with done {{completed}} after the tool-result: {(done < 0 ? "no done" : StreamRules.Shorten(after[done].Data))}";
            else evidence.Add($"then approval, tool-result {callId}, done completed ({after[0].Id} .. {after[^1].Id})");
        }
        report.Check(Rules.Approvals, target, fault is null, fault is null ? $"run {runId}, approval {approvalId}: {string.Join("; ", evidence)}" : fault);
    }

    /// <summary>The run's status once it is <paramref name="wanted"/>, or the last one seen when it is not within 10 s.</summary>
    private async Task<string?> WaitForStatusAsync(string runId, string wanted)
    {
        string? status = null;
        var deadline = Stopwatch.GetTimestamp() + (long)(10 * Stopwatch.Frequency);
        do
        {
            var (code, _, body) = await AnswerAsync(new HttpRequestMessage(HttpMethod.Get, $"runs/{runId}"));
            status = code == HttpStatusCode.OK ? StreamRules.Property(body, "status")?.ToString() : $"{(int)code}";
            if (status == wanted) return status;
            await Task.Delay(100);
        }
        while (Stopwatch.GetTimestamp() < deadline);
        return status;
    }

    private static string Status(HttpStatusCode status, string? mediaType) => status == 0 ? "nothing" : $"{(int)status} {mediaType ?? "(no content type)"}";

    /// <summary>
    /// Starts a background run of the writer with <c>POST /runs</c>: its id, or null when that failed, which is reported
    /// as a failure of <paramref name="rule"/> for <paramref name="target"/> (the check that needed the run).
    /// </summary>
    private async Task<string?> StartRunAsync(string prompt, JsonObject extra, string rule, string target, int? maxSeconds = null)
    {
        var body = new JsonObject { ["agent"] = "writer", ["prompt"] = prompt, ["maxSeconds"] = maxSeconds ?? options.MaxSeconds };
        foreach (var (name, value) in extra) body[name] = value?.DeepClone();
        var (status, _, answer) = await AnswerAsync(Post("runs", body));
        string? runId = null;
        if (status == HttpStatusCode.Accepted)
        {
            try
            {
                runId = JsonNode.Parse(answer)?["runId"]?.GetValue<string>();
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
            }
        }
        if (runId is null)
            report.Fail(rule, target, $"POST /runs answered {(status == 0 ? answer : $"{(int)status} {StreamRules.Shorten(answer)}")}, not 202 with a runId: no run to check");
        return runId;
    }

    /// <summary>The status, media type and body of an answer that is not a stream (a stream is dropped unread).</summary>
    private async Task<(HttpStatusCode Status, string? MediaType, string Body)> AnswerAsync(HttpRequestMessage request)
    {
        using var giveUp = new CancellationTokenSource(options.Timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, giveUp.Token);
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var body = mediaType == "text/event-stream" ? "" : await response.Content.ReadAsStringAsync(giveUp.Token);
            return (response.StatusCode, mediaType, body);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return (0, null, e is OperationCanceledException ? $"no answer within {options.Timeout.TotalSeconds:0} s" : $"no answer: {e.Message}");
        }
    }

    private static HttpRequestMessage Post(string path, JsonObject body) =>
        new(HttpMethod.Post, path) { Content = JsonContent.Create(body) };

    private static HttpRequestMessage WithLastEventId(HttpRequestMessage request, string lastEventId)
    {
        request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        return request;
    }
}
