using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using StreamingApi.Tests.Infrastructure;
using static StreamingApi.Tests.Approvals.ApprovalTests;

namespace StreamingApi.Tests.Approvals;

/// <summary>
/// A run that waits for two approvals and has one decision: <c>GET /runs/{runId}</c> shows that decision at once (the
/// run still waits for the other), on the memory store and on Redis, where another instance reads it.
/// </summary>
public sealed class RecordedDecisionTests
{
    [Fact]
    public async Task ARecordedDecisionShowsInTheRunsReadWhileTheRunStillWaits()
    {
        await using var app = App().WithServices(s => s.AddSingleton<IChatClient>(new TwoReportsChatClient()));
        await AssertDecisionShowsAsync(app.CreateSocketClient(), app.CreateSocketClient());
    }

    [Fact]
    public async Task OnRedisAnotherInstanceShowsTheRecordedDecision()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = redis.Instance(App().WithServices(s => s.AddSingleton<IChatClient>(new TwoReportsChatClient())));
        await using var b = redis.Instance(App().WithServices(s => s.AddSingleton<IChatClient>(new TwoReportsChatClient())));
        await AssertDecisionShowsAsync(a.CreateSocketClient(), b.CreateSocketClient());
    }

    /// <summary>Starts the run through <paramref name="starting"/>, decides and reads through <paramref name="reading"/>.</summary>
    private static async Task AssertDecisionShowsAsync(HttpClient starting, HttpClient reading)
    {
        var runId = await StartAsync(starting);
        await Eventually.TrueAsync(async () => (await reading.GetRunAsync(runId)).GetProperty("status").GetString() == "waiting", "the run waits");
        var asked = Approvals(await reading.GetRunAsync(runId));
        Assert.Equal([(null, null), (null, null)], asked.Select(a => (a.Approved, a.Reason)));

        using (var decided = await DecideAsync(reading, runId, asked[0].Id, approved: false, reason: "not this one"))
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode);

        var run = await reading.GetRunAsync(runId);
        Assert.Equal(("waiting", "waiting"), (run.GetProperty("status").GetString(), run.GetProperty("output").GetProperty("status").GetString()));
        Assert.Equal([(false, "not this one"), (null, null)], Approvals(run).Select(a => (a.Approved, a.Reason)));
        Assert.Equal(Approvals(run), Approvals(await starting.GetRunAsync(runId))); // whichever instance is asked

        // The same decision again is still 200, another still 409: what the read shows is what stands.
        using (var again = await DecideAsync(reading, runId, asked[0].Id, approved: false, reason: "not this one"))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using (var other = await DecideAsync(reading, runId, asked[0].Id, approved: true))
            Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);

        using (var last = await DecideAsync(reading, runId, asked[1].Id, approved: true))
            Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        await Eventually.TrueAsync(async () => (await reading.GetRunAsync(runId)).GetProperty("status").GetString() == "completed", "the run ends");
        Assert.Equal([(false, "not this one"), (true, null)], Approvals(await reading.GetRunAsync(runId)).Select(a => (a.Approved, a.Reason)));
    }

    private static List<(string Id, bool? Approved, string? Reason)> Approvals(JsonElement run) =>
    [
        .. run.GetProperty("output").GetProperty("toolCalls").EnumerateArray()
            .Where(c => c.TryGetProperty("approval", out var approval) && approval.ValueKind == JsonValueKind.Object)
            .Select(c => c.GetProperty("approval"))
            .Select(a => (a.GetProperty("approvalId").GetString()!,
                a.TryGetProperty("approved", out var approved) && approved.ValueKind != JsonValueKind.Null ? approved.GetBoolean() : (bool?)null,
                a.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString() : null)),
    ];

    /// <summary>A model whose first turn sends two reports (two calls of send_report, each waiting for approval), then says what came of them.</summary>
    private sealed class TwoReportsChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            var conversation = messages.ToList();
            if (options?.ResponseFormat is ChatResponseFormatJson)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant,
                    """{"summary":"Two reports were handled as decided.","findings":["One was sent."],"recommendations":["Read it."],"dataSources":["send_report"]}""");
                yield break;
            }
            if (!conversation.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Any())
            {
                var send = options!.Tools!.First(t => t.Name.EndsWith("send_report", StringComparison.Ordinal)).Name;
                yield return new ChatResponseUpdate(ChatRole.Assistant, [
                    new FunctionCallContent("call_cfo", send, new Dictionary<string, object?> { ["to"] = "cfo@example.com", ["subject"] = "Report" }),
                    new FunctionCallContent("call_ceo", send, new Dictionary<string, object?> { ["to"] = "ceo@example.com", ["subject"] = "Report" }),
                ]) { FinishReason = ChatFinishReason.ToolCalls };
                yield break;
            }
            yield return new ChatResponseUpdate(ChatRole.Assistant, "Both reports were handled as decided.");
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("scripted", null, "scripted-model") : null;

        public void Dispose()
        {
        }
    }
}
