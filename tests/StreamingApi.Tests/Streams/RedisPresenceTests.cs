using System.Diagnostics;
using StackExchange.Redis;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>
/// A reader on an instance that does not execute the run keeps the run alive for as long as it reads, however long
/// the run, and stops counting as soon as it leaves. The owner stops a stream's run when its detach grace ends with
/// no reader anywhere; the product's own lease and grace (10 s each) are what it depends on.
/// </summary>
public sealed class RedisPresenceTests
{
    private const string LongEssay = "/stream/text?prompt=Write%20a%20long%20essay%20about%20harbours";

    private static StreamingApiApplication Instance(RedisServer redis) => new StreamingApiApplication()
        .With("Runs:Store", "redis")
        .With("ConnectionStrings:Redis", redis.ConnectionString)
        .With("Runs:DetachGraceSeconds", "10");

    [Fact]
    public async Task ARunLongerThanAMinuteResumedOnceOnTheOtherInstanceCompletesAndTheReaderHasAllOfIt()
    {
        await using var redis = await RedisServer.StartAsync();
        // About 3,900 events at 60 a second: some 65 s, several times the lease and the grace.
        await using var a = Instance(redis).With("OfflineModel:TokensPerSecond", "60");
        await using var b = Instance(redis);
        var (onA, onB) = (a.CreateSocketClient(), b.CreateSocketClient());
        await onB.GetAsync("/health/ready"); // B is up before the client comes to it

        var frames = await onA.ReadThenDropAsync(LongEssay, 25);
        frames.AddRange(await onB.ResumeFramesAsync(LongEssay, frames[^1].Id!, timeoutSeconds: 180));

        Assert.Equal(("done", "completed"), (frames[^1].Type, frames[^1]["status"].GetString()));
        Assert.True(frames[^1]["elapsedMs"].GetInt64() > 60_000, $"the run took {frames[^1]["elapsedMs"]} ms");
        Assert.Equal(Enumerable.Range(1, frames.Count).Select(i => (long)i), frames.Select(f => f.Sequence));
        Assert.All(frames, f => Assert.Equal(frames[0].RunId, f.RunId));
        var output = (await onB.GetRunAsync(frames[0].RunId)).GetProperty("output");
        Assert.Equal(("completed", frames.Text()), (output.GetProperty("status").GetString(), output.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task AReaderThatLeavesTheOtherInstanceStopsCountingAtOnceAndTheRunStopsAboutTheGraceLater()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("OfflineModel:TokensPerSecond", "100").With("Runs:DetachGraceSeconds", "3");
        await using var b = Instance(redis);
        var (onA, onB) = (a.CreateSocketClient(), b.CreateSocketClient());
        await onB.GetAsync("/health/ready");
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);

        var frames = await onA.ReadThenDropAsync(LongEssay, 5);
        var runId = frames[0].RunId;
        Task<long> ReadersOnBAsync() => connection.GetDatabase().SortedSetLengthAsync($"streamingapi:run:{runId}:readers",
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), double.PositiveInfinity); // those whose presence has not lapsed
        using (var response = await onB.ReconnectAsync(LongEssay, frames[^1].Id!))
        {
            await using var rest = response.ReadFramesAsync().GetAsyncEnumerator();
            for (var read = 0; read < 400 && await rest.MoveNextAsync(); read++) { } // 4 s at 100 a second: longer than the grace
            Assert.Equal(("text", 1L), (rest.Current.Type, await ReadersOnBAsync()));
        }

        var (left, leftAt) = (Stopwatch.StartNew(), DateTimeOffset.UtcNow);
        await Eventually.TrueAsync(async () => await ReadersOnBAsync() == 0, "the reader that left B no longer counts");
        // Its presence is removed as it leaves; had it been left to lapse, that would take 6.7 to 10 s (the lease).
        Assert.True(left.Elapsed < TimeSpan.FromSeconds(5), $"the presence went after {left.Elapsed}");
        await Eventually.TrueAsync(async () => (await onB.GetRunAsync(runId)).GetProperty("status").GetString() == "cancelled",
            "the run is stopped once the grace has passed with no reader", TimeSpan.FromSeconds(30));
        var run = await onB.GetRunAsync(runId);
        Assert.Equal("client-disconnected", run.GetProperty("reason").GetString());
        // The grace runs from the last look that saw the reader (the owner looks every second with a 3 s grace), not
        // from the next look, which may come just after it left.
        var grace = run.GetProperty("endedAt").GetDateTimeOffset() - leftAt;
        Assert.True(grace >= TimeSpan.FromSeconds(1.9), $"stopped {grace} after the reader left B");
    }
}
