using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StreamingApi.Agents.Tools;
using StreamingApi.Tests.Infrastructure;
using static StreamingApi.Tests.Approvals.ApprovalTests;

namespace StreamingApi.Tests.Approvals;

/// <summary>
/// Tool approval over AG-UI on the wire: the response ends with the interrupt while the run waits in the store, and the
/// next request's <c>resume</c> goes on with the same run, on any instance. (The AG-UI client's own round trip is in
/// tests/frontends/ag-ui-approvals.test.mjs.)
/// </summary>
public sealed class AgUiApprovalTests
{
    private const string Question = $$"""{"id":"u1","role":"user","content":"{{Prompt}}"}""";

    [Fact]
    public async Task TheInterruptEndsTheResponseOnOneInstanceAndTheResumeGoesOnWithTheRunOnAnother()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = redis.Instance(App());
        await using var b = redis.Instance(App());

        var first = await PostAsync(a.CreateSocketClient(), $$"""{"threadId":"th-1","runId":"run-1","messages":[{{Question}}]}""");
        var finished = first[^1];
        Assert.Equal("RUN_FINISHED", Type(finished));
        var interrupt = finished.GetProperty("outcome").GetProperty("interrupts").EnumerateArray().Single();
        var callId = interrupt.GetProperty("toolCallId").GetString()!;
        var parent = first.First(e => Type(e) == "TOOL_CALL_START" && e.GetProperty("toolCallId").GetString() == callId).GetProperty("parentMessageId").GetString()!;
        var runId = parent[..parent.LastIndexOf("-m", StringComparison.Ordinal)];
        Assert.Equal("waiting", (await b.CreateClient().GetRunAsync(runId)).GetProperty("status").GetString());

        var resume = $$$"""[{"interruptId":"{{{interrupt.GetProperty("id").GetString()}}}","status":"resolved","payload":{"approved":true,"reason":"fine"}}]""";
        var second = await PostAsync(b.CreateSocketClient(), $$"""{"threadId":"th-1","runId":"run-2","messages":[{{Question}}],"resume":{{resume}}}""");

        Assert.Equal("""{"type":"RUN_STARTED","threadId":"th-1","runId":"run-2"}""", second[0].GetRawText());
        var result = second.Single(e => Type(e) == "TOOL_CALL_RESULT");
        Assert.Equal(callId, result.GetProperty("toolCallId").GetString());
        Assert.True(JsonDocument.Parse(result.GetProperty("content").GetString()!).RootElement.GetProperty("sent").GetBoolean());
        Assert.DoesNotContain(second, e => Type(e) == "TOOL_CALL_START" && e.GetProperty("toolCallId").GetString() == callId);
        Assert.Equal("RUN_FINISHED", Type(second[^1]));
        Assert.False(second[^1].TryGetProperty("outcome", out _));
        Assert.Single(b.Services.GetRequiredService<SentReports>().All);
        Assert.Empty(a.Services.GetRequiredService<SentReports>().All);
        var run = await a.CreateClient().GetRunAsync(runId);
        Assert.Equal(("completed", "th-1"), (run.GetProperty("status").GetString(), run.GetProperty("threadId").GetString()));
    }

    [Fact]
    public async Task AnInterruptAnsweredAfterItExpiredIsGoneOrTheRunNoLongerWaits()
    {
        // Time enough for the first response to see the run wait. Then the timeout loop denies the call as soon as it may:
        // the answer that comes after that finds the run gone on (409), or, if it came first, the approval expired (410).
        // Either way nothing is sent.
        await using var app = App().With("Runs:ApprovalTimeoutSeconds", "3");
        var client = app.CreateSocketClient();
        var first = await PostAsync(client, $$"""{"threadId":"th-2","runId":"run-1","messages":[{{Question}}]}""");
        var id = first[^1].GetProperty("outcome").GetProperty("interrupts")[0].GetProperty("id").GetString();
        var expiresAt = DateTimeOffset.Parse(first[^1].GetProperty("outcome").GetProperty("interrupts")[0].GetProperty("expiresAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        await Eventually.TrueAsync(() => DateTimeOffset.UtcNow > expiresAt, "the interrupt expired", TimeSpan.FromSeconds(30));

        using var late = await client.OpenPostAsync("/api/agents/analyst/ag-ui",
            $$$"""{"threadId":"th-2","runId":"run-2","messages":[],"resume":[{"interruptId":"{{{id}}}","status":"resolved","payload":{"approved":true}}]}""");

        Assert.Contains(late.StatusCode, new[] { HttpStatusCode.Conflict, HttpStatusCode.Gone });
        Assert.Equal("application/problem+json", late.Content.Headers.ContentType?.MediaType);
        Assert.Empty(app.Services.GetRequiredService<SentReports>().All);
    }

    private static async Task<List<JsonElement>> PostAsync(HttpClient client, string body)
    {
        using var response = await client.OpenPostAsync("/api/agents/analyst/ag-ui", body);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, raw);
        return raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Where(f => f.StartsWith("data: ", StringComparison.Ordinal)) // not the keep-alive comments
            .Select(f => JsonDocument.Parse(f["data: ".Length..]).RootElement).ToList();
    }

    private static string Type(JsonElement e) => e.GetProperty("type").GetString()!;
}
