using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>
/// Many runs held at once on one instance share its one writer to Redis: each run's events still reach Redis whole, in
/// order and once.
/// </summary>
public sealed class RedisHeldRunsTests
{
    private const string Text = "/stream/text?prompt=Explain%20server-sent%20events";

    [Fact]
    public async Task ManyRunsStartedAtOnceAreEachStoredWholeAndReadTheSameOnTheOtherInstance()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = redis.Instance().With("OfflineModel:TokensPerSecond", "40").With("OfflineModel:FixedDeltaCount", "20");
        await using var b = redis.Instance();
        var (onA, onB) = (a.CreateSocketClient(), b.CreateSocketClient());

        var runs = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => onA.GetFramesAsync(Text, timeoutSeconds: 120)));

        Assert.Equal(60, runs.Select(r => r[0].RunId).Distinct().Count());
        foreach (var frames in runs)
        {
            Assert.Equal(Enumerable.Range(1, frames.Count).Select(i => (long)i), frames.Select(f => f.Sequence));
            Assert.Equal(("done", "completed"), (frames[^1].Type, frames[^1]["status"].GetString()));
            var runId = frames[0].RunId;
            // The owner's client has the end before the run's last batch reaches Redis; the record says completed after it.
            await Eventually.TrueAsync(async () => (await onB.GetRunAsync(runId)).GetProperty("status").GetString() == "completed",
                $"run {runId}'s record in Redis says completed", TimeSpan.FromSeconds(60));
            var stored = await onB.GetFramesAsync($"/runs/{runId}/events?after=0");
            Assert.Equal(frames.Select(f => (f.Id, f.Type, f.Data)), stored.Select(f => (f.Id, f.Type, f.Data)));
            Assert.Equal(frames.Count, (int)(await onB.GetRunAsync(runId)).GetProperty("lastSequence").GetInt64());
        }
    }
}
