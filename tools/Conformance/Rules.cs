namespace Conformance;

/// <summary>The rules the suite checks, by the names the table and the report give them, in the order they are shown.</summary>
internal static class Rules
{
    public const string ContentType = "framing.content-type";
    public const string Utf8 = "framing.utf8";
    public const string Lines = "framing.lines";
    public const string Retry = "framing.retry";
    public const string Heartbeats = "framing.heartbeats";
    public const string First = "order.first";
    public const string Ids = "order.ids";
    public const string DoneLast = "order.done-last";
    public const string Schema = "schema.events";
    public const string Resume = "resume.same-events";
    public const string NoContent = "status.204";
    public const string BadRequest = "status.400";
    public const string NotFound = "status.404";
    public const string ProblemDetails = "problem-details";
    public const string Cancel = "cancel.within-1s";
    public const string Approvals = "approvals.decide";

    /// <summary>Every rule and what it asks, as <c>--list</c> prints them.</summary>
    public static readonly IReadOnlyList<(string Name, string Asks)> All =
    [
        (ContentType, "a stream answers 200 with Content-Type: text/event-stream"),
        (Utf8, "the stream is UTF-8"),
        (Lines, "every frame has exactly one id, one event and one data line (data is one line of JSON), and no other field but retry; the stream ends on a frame's end"),
        (Retry, "the first frame of every response carries retry: <milliseconds>"),
        (Heartbeats, "comments only as heartbeats: a comment (': keep-alive') is a block of its own, never part of a frame"),
        (First, "a new run's stream starts with run (id runId:1); a stream after a position starts with snapshot (id runId:N, N >= the position) or the event after it; run and snapshot come nowhere else"),
        (Ids, "ids are runId:seq, one runId, seq contiguous"),
        (DoneLast, "done comes exactly once, last, and the stream then closes"),
        (Schema, "every frame's data is valid against events.schema.json#/$defs/<its event type>"),
        (Resume, "a reader that drops after k events and reconnects with Last-Event-ID gets exactly the events that /runs/{runId}/events holds after k"),
        (NoContent, "204 with no body when there is nothing to continue: an unknown run, or a finished one with nothing after the position"),
        (BadRequest, "400 for bad input (prompt, maxSeconds, a malformed body or Last-Event-ID, after, agent) before any stream"),
        (NotFound, "404 for an unknown run's record, events (without Last-Event-ID) and cancel"),
        (ProblemDetails, "every 400 and 404 is application/problem+json with a title (and its status, when given, is the response's)"),
        (Cancel, "POST /runs/{runId}/cancel answers 202 and the stream's done {status: cancelled, reason: stopped} arrives within 1 s; a second cancel answers 200"),
        (Approvals, "an analysis asked to email the report waits at approval-request (GET /runs/{runId}: waiting); POST .../approvals/{approvalId} approving answers 200, " +
                    "the same again 200, the other decision 409, an unknown approval 404; the stream goes on with approval, the call's tool-result and done completed " +
                    "(skipped, with the evidence, when the analyst asks for no approval)"),
    ];

    public static int Order(string rule)
    {
        for (var i = 0; i < All.Count; i++)
            if (All[i].Name == rule) return i;
        return All.Count;
    }
}
