using StackExchange.Redis;
using StreamingApi.Tests.Infrastructure;
using StreamingApi.Tests.Limits;

namespace StreamingApi.Tests.Streams;

/// <summary>
/// A run no reader on another instance follows is written to Redis a few events at a time (<c>Redis:WriteDelayMs</c>),
/// and whole with its end; one that a reader elsewhere follows is written as its events come.
/// </summary>
public sealed class RedisWriteDelayTests
{
    // 40 deltas at 4 a second: some 10 s, far less than the delay the first two tests set, and fewer events than make a
    // write go at once (64).
    private const string Text = "/stream/text?prompt=Write%20about%20harbours";

    private static StreamingApiApplication Instance(RedisServer redis) => redis.Instance()
        .With("OfflineModel:TokensPerSecond", "4").With("OfflineModel:FixedDeltaCount", "40").With("OfflineModel:Reasoning", "false");

    [Fact]
    public async Task ARunNoOneFollowsElsewhereWaitsToBeWrittenAndIsWrittenWholeWithItsEnd()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("Redis:WriteDelayMs", "60000");
        await using var b = Instance(redis);
        var (onA, onB) = (a.CreateSocketClient(), b.CreateSocketClient());
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);

        using var response = await onA.OpenAsync(Text);
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        var seen = new List<Frame>();
        while (seen.Count(f => f.Type == "text") < 10 && await frames.MoveNextAsync()) seen.Add(frames.Current);
        var runId = seen[0].RunId;

        // Ten deltas in (2.5 s), the run's events wait for their turn: Redis has none of them yet.
        Assert.Equal(0, await connection.GetDatabase().StreamLengthAsync($"streamingapi:run:{runId}:events"));
        Assert.Equal("running", (await onB.GetRunAsync(runId)).GetProperty("status").GetString());

        while (await frames.MoveNextAsync()) seen.Add(frames.Current);
        Assert.Equal(("done", "completed"), (seen[^1].Type, seen[^1]["status"].GetString()));
        await a.WaitForNoActiveRunsAsync();

        // Its end wrote it all: the other instance has every event, and the answer.
        var stored = await onB.GetFramesAsync($"/runs/{runId}/events?after=0");
        Assert.Equal(seen.Select(f => (f.Id, f.Type, f.Data)), stored.Select(f => (f.Id, f.Type, f.Data)));
        var output = (await onB.GetRunAsync(runId)).GetProperty("output");
        Assert.Equal(("completed", seen.Text()), (output.GetProperty("status").GetString(), output.GetProperty("text").GetString()));
        a.AssertNoErrorLogged();
    }

    [Fact]
    public async Task AReaderThatComesToAnotherInstanceIsFollowedAsTheEventsComeNotAfterTheDelay()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("Redis:WriteDelayMs", "60000");
        await using var b = Instance(redis);
        var (onA, onB) = (a.CreateSocketClient(), b.CreateSocketClient());
        await onB.GetAsync("/health/ready"); // B is up before the reader comes to it

        using var response = await onA.OpenAsync(Text);
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        var seen = new List<Frame>();
        while (seen.Count(f => f.Type == "text") < 3 && await frames.MoveNextAsync()) seen.Add(frames.Current);
        var runId = seen[0].RunId;

        // The reader on B gets what came before it and what comes after, while the run goes on: its coming made the
        // owner write what waited, and write each event as it comes from then on.
        using var remote = await onB.OpenAsync($"/runs/{runId}/events?after=0");
        await using var remoteFrames = remote.ReadFramesAsync().GetAsyncEnumerator();
        var onTheOther = new List<Frame>();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (onTheOther.Count(f => f.Type == "text") < seen.Count(f => f.Type == "text") + 3
               && await remoteFrames.MoveNextAsync().AsTask().WaitAsync(bound.Token))
            onTheOther.Add(remoteFrames.Current);
        Assert.Equal("running", (await onA.GetRunAsync(runId)).GetProperty("status").GetString());

        while (await remoteFrames.MoveNextAsync().AsTask().WaitAsync(bound.Token)) onTheOther.Add(remoteFrames.Current);
        while (await frames.MoveNextAsync()) seen.Add(frames.Current);
        Assert.Equal(("done", "completed"), (seen[^1].Type, seen[^1]["status"].GetString()));
        Assert.Equal(seen.Select(f => (f.Id, f.Type, f.Data)), onTheOther.Select(f => (f.Id, f.Type, f.Data)));
        a.AssertNoErrorLogged();
    }

    [Fact]
    public async Task AnOwnerThatMissedAReadersWordLearnsOfItFromItsNextWriteAndWritesEachEventFromThen()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("Redis:WriteDelayMs", "1000");
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var client = a.CreateSocketClient();
        await client.PostAsync($"/runs/{await client.StartedRunIdAsync()}/cancel", null); // Redis knows the scripts from here on
        await a.WaitForNoActiveRunsAsync();
        await using var monitor = await RedisMonitor.StartAsync(redis.Port);

        using var response = await client.OpenAsync(Text);
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        Assert.True(await frames.MoveNextAsync());
        var runId = frames.Current.RunId;
        // A reader elsewhere, as its presence says, whose word to the owner was lost on the way.
        await connection.GetDatabase().SortedSetAddAsync($"streamingapi:run:{runId}:readers", "elsewhere:1",
            DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());
        var seen = new List<Frame> { frames.Current };
        while (await frames.MoveNextAsync()) seen.Add(frames.Current);
        Assert.Equal(("done", "completed"), (seen[^1].Type, seen[^1]["status"].GetString()));
        await a.WaitForNoActiveRunsAsync();

        // 40 deltas over some 10 s: a write a second would be about ten; after the first write's answer, one an event.
        var writes = (await monitor.ClientCommandsAsync()).Count(c => c.Contains($"\"streamingapi:run:{runId}:events\"", StringComparison.Ordinal)
                                                                      && c.Contains("\"EVALSHA\"", StringComparison.OrdinalIgnoreCase));
        Assert.True(writes >= 18, $"{writes} writes of {seen.Count} events");
        a.AssertNoErrorLogged();
    }

    [Theory]
    [InlineData(5)]
    [InlineData(2)] // as far past the stored end (nothing) as that end's error and done are long
    public async Task AClientOfAnOwnerThatDiedBeforeItsEventsWereWrittenGetsTheEndAnotherInstanceWroteWhenItReturns(int framesSeen)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var owner = ProgramProcess.Start(new Dictionary<string, string>
        {
            ["Runs__Store"] = "redis",
            ["ConnectionStrings__Redis"] = redis.ConnectionString,
            ["Redis__LeaseSeconds"] = "4", // long enough for the client to be back before B finds the owner gone
            ["Redis__WriteDelayMs"] = "60000",
            ["OfflineModel__TokensPerSecond"] = "4",
            ["OfflineModel__FixedDeltaCount"] = "40",
        });
        using var onOwner = new HttpClient { BaseAddress = await owner.WaitForAddressAsync() };
        await using var b = Instance(redis);
        var onB = b.CreateSocketClient();
        await onB.GetAsync("/health/ready");

        var seen = new List<Frame>();
        using (var response = await onOwner.OpenAsync(Text))
        {
            await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
            while (seen.Count < framesSeen && await frames.MoveNextAsync()) seen.Add(frames.Current);
            await owner.DisposeAsync(); // killed, not stopped, before any of the run's events were written
        }
        var runId = seen[0].RunId;

        // The client comes back on B at once, past everything Redis has of the run: when B finds the owner gone it
        // fails the run, and that end is the client's end, not a stream that never ends.
        var returned = await onB.ResumeFramesAsync(Text, seen[^1].Id!, timeoutSeconds: 60);
        Assert.Equal(["error", "done"], returned.Select(f => f.Type));
        Assert.Equal("instance-lost", returned[0]["type"].GetString());
        Assert.Equal(("failed", "instance-lost"), (returned[1]["status"].GetString(), returned[1]["reason"].GetString()));
        Assert.All(returned, f => Assert.Equal(runId, f.RunId));

        // A client that had read the end it was given comes back to nothing more.
        using (var nothing = await onB.ReconnectAsync(Text, returned[^1].Id!))
            Assert.Equal(System.Net.HttpStatusCode.NoContent, nothing.StatusCode);
        if (framesSeen <= returned.Count) return; // once the run has failed, such a client cannot be told from that one
        // Another of its clients, coming once the run has failed, gets the same end.
        var later = await onB.ResumeFramesAsync(Text, seen[^1].Id!);
        Assert.Equal(returned.Select(f => (f.Id, f.Type, f.Data)), later.Select(f => (f.Id, f.Type, f.Data)));
    }
}
