using System.Net;
using Microsoft.Extensions.DependencyInjection;
using StreamingApi.Agents.Tools;
using StreamingApi.Tests.Infrastructure;
using static StreamingApi.Tests.Approvals.ApprovalTests;

namespace StreamingApi.Tests.Approvals;

/// <summary>A waiting run is data in Redis: any instance takes the decision, and the one that records the last goes on with it.</summary>
public sealed class RedisApprovalTests
{
    private static StreamingApiApplication Instance(RedisServer redis) => redis.Instance(App());

    [Fact]
    public async Task ARunWaitingWhenItsInstanceStopsGoesOnWhereTheDecisionComes()
    {
        await using var redis = await RedisServer.StartAsync();
        var a = Instance(redis);
        await using var b = Instance(redis);
        var (onA, onB) = (a.CreateSocketClient(), b.CreateSocketClient());
        var runId = await StartAsync(onA);

        using var response = await onB.OpenAsync($"/runs/{runId}/events");
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        var read = await ReadUntilAsync(frames, "approval-request");
        await Eventually.TrueAsync(async () => (await onB.GetRunAsync(runId)).GetProperty("status").GetString() == "waiting", "the run waits");
        Assert.Equal(0, a.Runs.ActiveCount);

        await a.DisposeAsync(); // a graceful stop: the waiting run is not the instance's to end
        var waiting = await onB.GetRunAsync(runId);
        Assert.Equal(("waiting", "waiting"), (waiting.GetProperty("status").GetString(), waiting.GetProperty("output").GetProperty("status").GetString()));

        using (var decided = await DecideAsync(onB, runId, read[^1]["approvalId"].GetString()!, approved: true))
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        read.AddRange(await ReadToEndAsync(frames));

        Contiguous(read);
        Assert.Single(read, f => f.Type == "approval");
        Assert.True(read.Last(f => f.Type == "tool-result")["result"].GetProperty("sent").GetBoolean());
        Assert.Single(b.Services.GetRequiredService<SentReports>().All);
        Assert.Equal(("done", "completed"), (read[^1].Type, read[^1]["status"].GetString()));
        var recorded = await onB.GetFramesAsync($"/runs/{runId}/events?after=0");
        Assert.Equal(recorded.Select(f => (f.Id, f.Type, f.Data)), read.Select(f => (f.Id, f.Type, f.Data)));
        Assert.Equal("completed", (await onB.GetRunAsync(runId)).GetProperty("status").GetString());
        await Eventually.TrueAsync(() => b.Runs.ActiveCount == 0, "the run is off B's list");

        // A third instance reads the answer from Redis (the snapshot B wrote, going on from the one A wrote as the run
        // handed off): the same as B's own, from its memory.
        await using var c = Instance(redis);
        var elsewhere = (await c.CreateSocketClient().GetRunAsync(runId)).GetProperty("output");
        Assert.Equal(read.Text(), elsewhere.GetProperty("text").GetString());
        Assert.Equal((await onB.GetRunAsync(runId)).GetProperty("output").GetRawText(), elsewhere.GetRawText());
    }

    [Fact]
    public async Task AReaderOnTheStartingInstanceGetsTheRestWrittenByTheOther()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis);
        await using var b = Instance(redis);
        var (onA, onB) = (a.CreateSocketClient(), b.CreateSocketClient());
        var runId = await StartAsync(onA);

        using var response = await onA.OpenAsync($"/runs/{runId}/events");
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        var read = await ReadUntilAsync(frames, "approval-request");
        await Eventually.TrueAsync(async () => (await onA.GetRunAsync(runId)).GetProperty("status").GetString() == "waiting", "the run waits");

        using (var decided = await DecideAsync(onB, runId, read[^1]["approvalId"].GetString()!, approved: false, "not now"))
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        read.AddRange(await ReadToEndAsync(frames));

        Contiguous(read);
        Assert.True(read.Last(f => f.Type == "tool-result").Payload.TryGetProperty("error", out var error), string.Join("\n", read.Where(f => f.Type is not ("text" or "reasoning")).Select(f => $"{f.Id} {f.Type} {f.Data}")));
        Assert.Equal("denied", error.GetString());
        Assert.Equal(("done", "completed"), (read[^1].Type, read[^1]["status"].GetString()));
        using (var again = await DecideAsync(onA, runId, read.Single(f => f.Type == "approval")["approvalId"].GetString()!, approved: true))
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Empty(a.Services.GetRequiredService<SentReports>().All);
        Assert.Empty(b.Services.GetRequiredService<SentReports>().All);
    }

    [Fact]
    public async Task TheTimeoutFiresOnAnotherInstanceWhenTheStartingOneIsGone()
    {
        await using var redis = await RedisServer.StartAsync();
        var a = Instance(redis).With("Runs:ApprovalTimeoutSeconds", "2");
        await using var b = Instance(redis).With("Runs:ApprovalTimeoutSeconds", "2");
        var (onA, onB) = (a.CreateSocketClient(), b.CreateSocketClient());
        _ = b.Services; // B runs its timeouts from now on
        var runId = await StartAsync(onA);
        await Eventually.TrueAsync(async () => (await onA.GetRunAsync(runId)).GetProperty("status").GetString() == "waiting", "the run waits");
        await a.DisposeAsync();

        var frames = await onB.GetFramesAsync($"/runs/{runId}/events?after=0");

        Contiguous(frames);
        var decided = frames.Single(f => f.Type == "approval");
        Assert.Equal((false, "timeout"), (decided["approved"].GetBoolean(), decided["reason"].GetString()));
        Assert.Equal(("done", "completed"), (frames[^1].Type, frames[^1]["status"].GetString()));
    }
}
