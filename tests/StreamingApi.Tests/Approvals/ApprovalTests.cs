using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StreamingApi.Agents.Tools;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Approvals;

/// <summary>
/// Human in the loop: the analyst's send_report waits for a person's decision, the run waits as a checkpoint (no task),
/// and a decision, or the timeout, continues it on the same numbered stream.
/// </summary>
public sealed class ApprovalTests
{
    public const string Prompt = "Analyze our 2024 sales and email the report to cfo@example.com";

    /// <summary>The app, holding every event of a run: these tests read whole runs, not snapshots.</summary>
    internal static StreamingApiApplication App() => new StreamingApiApplication().With("Runs:ReplayWindow", "4096");

    internal static async Task<string> StartAsync(HttpClient client, string prompt = Prompt)
    {
        using var accepted = await client.PostAsJsonAsync("/runs", new { agent = "analyst", prompt });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        return (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString()!;
    }

    /// <summary>Reads frames of a stream until one of <paramref name="type"/> (included).</summary>
    internal static async Task<List<Frame>> ReadUntilAsync(IAsyncEnumerator<Frame> frames, string type)
    {
        var read = new List<Frame>();
        while (await frames.MoveNextAsync())
        {
            read.Add(frames.Current);
            if (frames.Current.Type == type) return read;
        }
        throw new Xunit.Sdk.XunitException($"The stream ended without {type}: {string.Join(", ", read.Shape())}");
    }

    internal static async Task<List<Frame>> ReadToEndAsync(IAsyncEnumerator<Frame> frames)
    {
        var read = new List<Frame>();
        while (await frames.MoveNextAsync()) read.Add(frames.Current);
        return read;
    }

    internal static Task<HttpResponseMessage> DecideAsync(HttpClient client, string runId, string approvalId, bool approved, string? reason = null) =>
        client.PostAsJsonAsync($"/runs/{runId}/approvals/{approvalId}", new { approved, reason });

    internal static void Contiguous(IReadOnlyList<Frame> frames)
    {
        Assert.Equal(Enumerable.Range(1, frames.Count).Select(i => (long)i), frames.Select(f => f.Sequence));
        Assert.All(frames, f => Assert.Equal(frames[0].RunId, f.RunId));
    }

    [Fact]
    public async Task ApprovingSendsTheReportOnceAndTheRunGoesOnOnTheSameStream()
    {
        await using var app = App();
        var client = app.CreateSocketClient();
        var runId = await StartAsync(client);
        using var response = await client.OpenAsync($"/runs/{runId}/events");
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();

        var read = await ReadUntilAsync(frames, "approval-request");
        var asked = read[^1];
        Assert.Equal(("tool-call", "send_report"), (read[^2].Type, read[^2]["name"].GetString()));
        Assert.Equal(asked["callId"].GetString(), read[^2]["callId"].GetString());
        Assert.Equal(("send_report", "cfo@example.com"), (asked["name"].GetString(), asked["arguments"].GetProperty("to").GetString()));
        Assert.True(asked["expiresAt"].GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(5));

        // The run waits as data: no task, its record and snapshot say what it waits for.
        await app.WaitForNoActiveRunsAsync();
        var waiting = await client.GetRunAsync(runId);
        Assert.Equal(("waiting", "waiting"), (waiting.GetProperty("status").GetString(), waiting.GetProperty("output").GetProperty("status").GetString()));
        var pending = waiting.GetProperty("output").GetProperty("toolCalls").EnumerateArray().Last();
        Assert.Equal(asked["approvalId"].GetString(), pending.GetProperty("approval").GetProperty("approvalId").GetString());
        Assert.Equal(JsonValueKind.Null, pending.GetProperty("approval").GetProperty("approved").ValueKind);
        Assert.Empty(app.Services.GetRequiredService<SentReports>().All);

        using (var decided = await DecideAsync(client, runId, asked["approvalId"].GetString()!, approved: true, "looks right"))
        {
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
            var body = await decided.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((true, "looks right"), (body.GetProperty("approved").GetBoolean(), body.GetProperty("reason").GetString()));
        }
        read.AddRange(await ReadToEndAsync(frames));

        Contiguous(read);
        var after = read.SkipWhile(f => f.Type != "approval").ToList();
        Assert.Equal(("approval", true, "looks right"), (after[0].Type, after[0]["approved"].GetBoolean(), after[0]["reason"].GetString()));
        var result = after.First(f => f.Type == "tool-result");
        Assert.Equal(asked["callId"].GetString(), result["callId"].GetString());
        Assert.True(result["result"].GetProperty("sent").GetBoolean());
        var sent = Assert.Single(app.Services.GetRequiredService<SentReports>().All);
        Assert.Equal((sent.MessageId, "cfo@example.com"), (result["result"].GetProperty("messageId").GetString(), sent.To));
        Assert.Contains("The report was sent to cfo@example.com", after.Text());
        Assert.Contains("result", after.Select(f => f.Type));
        Assert.Equal(("done", "completed"), (read[^1].Type, read[^1]["status"].GetString()));
        Assert.Equal(5, read.Count(f => f.Type == "tool-call")); // the analysis's four, then send_report, announced once
        Assert.Equal(JsonValueKind.Object, read[^1]["usage"].ValueKind);

        var ended = await client.GetRunAsync(runId);
        Assert.Equal("completed", ended.GetProperty("status").GetString());
        Assert.True(ended.GetProperty("output").GetProperty("toolCalls").EnumerateArray().Last().GetProperty("approval").GetProperty("approved").GetBoolean());
    }

    [Fact]
    public async Task DenyingRunsNoToolAndTheModelSaysTheReportWasNotSent()
    {
        await using var app = App();
        var client = app.CreateSocketClient();
        var runId = await StartAsync(client, "Analyze our 2024 sales and send the report");
        using var response = await client.OpenAsync($"/runs/{runId}/events");
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        var read = await ReadUntilAsync(frames, "approval-request");
        Assert.Equal("team@example.com", read[^1]["arguments"].GetProperty("to").GetString());

        using (var decided = await DecideAsync(client, runId, read[^1]["approvalId"].GetString()!, approved: false, "not yet"))
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        read.AddRange(await ReadToEndAsync(frames));

        Contiguous(read);
        var after = read.SkipWhile(f => f.Type != "approval").ToList();
        Assert.Equal((false, "not yet"), (after[0]["approved"].GetBoolean(), after[0]["reason"].GetString()));
        var result = after.First(f => f.Type == "tool-result");
        Assert.Equal(("denied", JsonValueKind.Null), (result["error"].GetString(), result["result"].ValueKind));
        Assert.Contains("The report was not sent to team@example.com", after.Text());
        Assert.Empty(app.Services.GetRequiredService<SentReports>().All);
        Assert.Equal(("done", "completed"), (read[^1].Type, read[^1]["status"].GetString()));
    }

    [Fact]
    public async Task NoDecisionInTimeIsADenialForTimeoutAndALateOneIsGone()
    {
        await using var app = App().With("Runs:ApprovalTimeoutSeconds", "2");
        var client = app.CreateSocketClient();
        var runId = await StartAsync(client);

        var frames = await client.GetFramesAsync($"/runs/{runId}/events");

        Contiguous(frames);
        var asked = frames.Single(f => f.Type == "approval-request");
        var decided = frames.Single(f => f.Type == "approval");
        Assert.Equal((asked["approvalId"].GetString(), false, "timeout"),
            (decided["approvalId"].GetString(), decided["approved"].GetBoolean(), decided["reason"].GetString()));
        Assert.Equal("denied", frames.Last(f => f.Type == "tool-result")["error"].GetString());
        Assert.Empty(app.Services.GetRequiredService<SentReports>().All);
        Assert.Equal(("done", "completed"), (frames[^1].Type, frames[^1]["status"].GetString()));

        using var late = await DecideAsync(client, runId, asked["approvalId"].GetString()!, approved: true);
        Assert.Equal(HttpStatusCode.Gone, late.StatusCode);
        Assert.Equal("application/problem+json", late.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TheSameDecisionAgainIs200AnotherIs409AndUnknownsAre404()
    {
        await using var app = App().With("OfflineModel:TokensPerSecond", "200");
        var client = app.CreateSocketClient();
        var runId = await StartAsync(client);
        await Eventually.TrueAsync(async () => (await client.GetRunAsync(runId)).GetProperty("status").GetString() == "waiting", "the run waits");
        var approvalId = (await client.GetRunAsync(runId)).GetProperty("output").GetProperty("toolCalls").EnumerateArray().Last()
            .GetProperty("approval").GetProperty("approvalId").GetString()!;

        using (var bad = await client.PostAsync($"/runs/{runId}/approvals/{approvalId}", JsonContent.Create(new { reason = "no verdict" })))
            Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (bad.StatusCode, bad.Content.Headers.ContentType?.MediaType));
        using (var malformed = await client.PostAsync($"/runs/{runId}/approvals/{approvalId}", new StringContent("{", System.Text.Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        using (var unknown = await DecideAsync(client, runId, "no-such-approval", approved: true))
            Assert.Equal((HttpStatusCode.NotFound, "application/problem+json"), (unknown.StatusCode, unknown.Content.Headers.ContentType?.MediaType));
        using (var noRun = await DecideAsync(client, "0123456789abcdef", approvalId, approved: true))
            Assert.Equal(HttpStatusCode.NotFound, noRun.StatusCode);

        using (var first = await DecideAsync(client, runId, approvalId, approved: true))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using (var again = await DecideAsync(client, runId, approvalId, approved: true))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using (var other = await DecideAsync(client, runId, approvalId, approved: false))
        {
            Assert.Equal((HttpStatusCode.Conflict, "application/problem+json"), (other.StatusCode, other.Content.Headers.ContentType?.MediaType));
        }
        var frames = await client.GetFramesAsync($"/runs/{runId}/events");
        Assert.Single(frames, f => f.Type == "approval");
        Assert.Single(app.Services.GetRequiredService<SentReports>().All);
    }

    [Fact]
    public async Task AnotherPrincipalFindsNoApprovalToDecide()
    {
        await using var app = App().WithAliceAndBob();
        var (alice, bob) = (app.CreateClientWithKey(TestApiKeys.Alice), app.CreateClientWithKey(TestApiKeys.Bob));
        var runId = await StartAsync(alice);
        await Eventually.TrueAsync(async () => (await alice.GetRunAsync(runId)).GetProperty("status").GetString() == "waiting", "the run waits");
        var approvalId = (await alice.GetRunAsync(runId)).GetProperty("output").GetProperty("toolCalls").EnumerateArray().Last()
            .GetProperty("approval").GetProperty("approvalId").GetString()!;

        using (var bobs = await DecideAsync(bob, runId, approvalId, approved: true))
            Assert.Equal(HttpStatusCode.NotFound, bobs.StatusCode);
        Assert.Equal("waiting", (await alice.GetRunAsync(runId)).GetProperty("status").GetString());
        using (var alices = await DecideAsync(alice, runId, approvalId, approved: false))
            Assert.Equal(HttpStatusCode.OK, alices.StatusCode);
    }

    [Fact]
    public async Task AReaderThatLeavesWhileTheRunWaitsGetsTheRestOnceWithLastEventId()
    {
        await using var app = App();
        var client = app.CreateSocketClient();
        var runId = await StartAsync(client);
        List<Frame> read;
        using (var response = await client.OpenAsync($"/runs/{runId}/events"))
        {
            await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
            read = await ReadUntilAsync(frames, "approval-request");
        }
        await app.WaitForNoActiveRunsAsync();

        using (var decided = await DecideAsync(client, runId, read[^1]["approvalId"].GetString()!, approved: true))
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        read.AddRange(await client.ResumeFramesAsync($"/runs/{runId}/events", read[^1].Id!));

        Contiguous(read);
        Assert.Equal(("done", "completed"), (read[^1].Type, read[^1]["status"].GetString()));
        Assert.Single(app.Services.GetRequiredService<SentReports>().All);
    }

    [Fact]
    public async Task AStreamsRunWaitsPastItsDetachGraceAndCancellingAWaitingRunEndsIt()
    {
        await using var app = App();
        var client = app.CreateSocketClient();
        string runId;
        using (var response = await client.OpenAsync($"/stream/analysis?prompt={Uri.EscapeDataString(Prompt)}"))
        {
            await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
            runId = (await ReadUntilAsync(frames, "approval-request"))[0].RunId;
            await Eventually.TrueAsync(async () => (await client.GetRunAsync(runId)).GetProperty("status").GetString() == "waiting", "the run waits");
        }
        // The stream's reader is gone (grace 0 in tests), but a waiting run has no task for that to stop.
        await app.WaitForNoActiveRunsAsync();
        Assert.Equal("waiting", (await client.GetRunAsync(runId)).GetProperty("status").GetString());

        using (var cancel = await client.PostAsync($"/runs/{runId}/cancel", null))
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var all = await client.GetFramesAsync($"/runs/{runId}/events");
        Contiguous(all);
        var decided = all.Single(f => f.Type == "approval");
        Assert.Equal((false, "stopped"), (decided["approved"].GetBoolean(), decided["reason"].GetString()));
        Assert.Equal(("done", "cancelled", "stopped"), (all[^1].Type, all[^1]["status"].GetString(), all[^1]["reason"].GetString()));
        Assert.Empty(app.Services.GetRequiredService<SentReports>().All);
    }
}
