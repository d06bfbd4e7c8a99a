using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using StreamingApi.Observability;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>Two instances on one real redis-server: runs resumed, read and cancelled from either.</summary>
public sealed class RedisRunTests
{
    private const string Analysis = "/stream/analysis?prompt=Analyze%20our%202024%20sales";

    private static StreamingApiApplication Instance(RedisServer redis) => redis.Instance();

    [Fact]
    public async Task AClientThatDropsOnOneInstanceResumesOnTheOtherWithNothingLostOrTwice()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("OfflineModel:TokensPerSecond", "300").With("Runs:DetachGraceSeconds", "30");
        await using var b = Instance(redis);
        var onA = a.CreateSocketClient();
        var onB = b.CreateSocketClient();
        var reference = await onA.GetFramesAsync(Analysis);

        var frames = await onA.ReadThenDropAsync(Analysis, 40);
        frames.AddRange(await onB.ResumeFramesAsync(Analysis, frames[^1].Id!));

        Assert.Equal(Enumerable.Range(1, frames.Count).Select(i => (long)i), frames.Select(f => f.Sequence));
        Assert.All(frames, f => Assert.Equal(frames[0].RunId, f.RunId));
        Assert.Equal(reference.Text(), frames.Text());
        Assert.Equal(("done", "completed"), (frames[^1].Type, frames[^1]["status"].GetString()));
        var run = await onB.GetRunAsync(frames[0].RunId);
        Assert.Equal(("completed", "analysis", frames.Count), (run.GetProperty("status").GetString(), run.GetProperty("endpoint").GetString(),
            (int)run.GetProperty("lastSequence").GetInt64()));
        await Eventually.TrueAsync(() => b.Runs.ActiveCount + a.Runs.ActiveCount == 0, "the run is off both hosts' lists");
    }

    [Fact]
    public async Task TwoHundredRandomDropsThatSwitchInstanceEachEndWithExactlyTheRunsEvents()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("OfflineModel:TokensPerSecond", "2000").With("Runs:DetachGraceSeconds", "60").With("Runs:ReplayWindow", "4096");
        await using var b = Instance(redis).With("OfflineModel:TokensPerSecond", "2000").With("Runs:DetachGraceSeconds", "60").With("Runs:ReplayWindow", "4096");
        HttpClient[] clients = [a.CreateSocketClient(), b.CreateSocketClient()];
        var reference = await clients[0].GetFramesAsync(Analysis);

        var random = new Random(2612);
        var drops = Enumerable.Range(0, 200).Select(i => (K: random.Next(1, reference.Count), From: i % 2)).ToList();
        await Parallel.ForEachAsync(drops, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (drop, _) =>
        {
            var (from, to) = (clients[drop.From], clients[1 - drop.From]);
            var frames = await from.ReadThenDropAsync(Analysis, drop.K);
            frames.AddRange(await to.ResumeFramesAsync(Analysis, frames[^1].Id!));

            Assert.Equal(Enumerable.Range(1, frames.Count).Select(i => (long)i), frames.Select(f => f.Sequence));
            Assert.Equal(("done", "completed"), (frames[^1].Type, frames[^1]["status"].GetString()));
            var recorded = await to.GetFramesAsync($"/runs/{frames[0].RunId}/events?after=0");
            Assert.Equal(recorded.Select(f => (f.Id, f.Type, f.Data)), frames.Select(f => (f.Id, f.Type, f.Data)));
            Assert.Equal(reference.Text(), frames.Text());
        });
    }

    [Fact]
    public async Task AFastRunIsStoredManyEventsAnEntryAndTheOtherInstanceReadsItFromAnyEventAndTrimsItsOldest()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("OfflineModel:TokensPerSecond", "0").With("OfflineModel:FirstTokenDelayMs", "0")
            .With("OfflineModel:FixedDeltaCount", "2000").With("Redis:MaxStreamLength", "300");
        await using var b = Instance(redis).With("Redis:MaxStreamLength", "300");
        var (onA, onB) = (a.CreateSocketClient(), b.CreateSocketClient());
        var reference = await onA.GetFramesAsync("/stream/text?prompt=Explain%20server-sent%20events");
        var runId = reference[0].RunId;
        Assert.True(reference.Count > 2_000, $"{reference.Count} frames"); // run, the model's thinking, 2,000 deltas, done

        // The owner's readers see the end before its last batches reach Redis; the record says completed after them.
        await Eventually.TrueAsync(async () => (await onB.GetRunAsync(runId)).GetProperty("status").GetString() == "completed",
            "the run's record in Redis says completed");
        await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var entries = await connection.GetDatabase().StreamRangeAsync($"streamingapi:run:{runId}:events");
        var stored = entries.Sum(StreamingApi.Runs.Redis.RedisEntries.CountOf);
        Assert.True(entries.Length * 4 <= stored, $"{entries.Length} entries for {stored} events: an unthrottled run's events share entries");
        Assert.True(stored < reference.Count, $"{stored} of {reference.Count} events still stored: the oldest are trimmed");

        // Read on the other instance from every place around the held tail, inside entries and at their edges.
        var firstHeld = reference.Count - stored + 1;
        foreach (var after in Enumerable.Range(firstHeld - 1, 70).Concat([reference.Count - 65, reference.Count - 64, reference.Count - 1]))
        {
            var frames = await onB.GetFramesAsync($"/runs/{runId}/events?after={after}");
            Assert.Equal(reference.Skip(after).Select(f => (f.Id, f.Type, f.Data)), frames.Select(f => (f.Id, f.Type, f.Data)));
        }
        // Just before them: the snapshot stands for what was trimmed (RedisSnapshotTests read such runs in full).
        var fromSnapshot = await onB.GetFramesAsync($"/runs/{runId}/events?after={firstHeld - 2}");
        Assert.Equal(("snapshot", "done"), (fromSnapshot[0].Type, fromSnapshot[^1].Type));
    }

    [Fact]
    public async Task WhenRedisForgetsItsScriptsMidRunTheOwnerLoadsThemAgainAndTheOtherInstanceReadsEveryEvent()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("OfflineModel:TokensPerSecond", "100").With("Runs:DetachGraceSeconds", "60");
        await using var b = Instance(redis);
        var (onA, onB) = (a.CreateSocketClient(), b.CreateSocketClient());
        var reference = await onA.GetFramesAsync(Analysis); // its first batch finds Redis without the script: the text is sent then

        var frames = await onA.ReadThenDropAsync(Analysis, 10);
        await using (var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
            await admin.GetDatabase().ExecuteAsync("SCRIPT", "FLUSH"); // as a restarted or failed-over Redis: its batches by hash are refused
        frames.AddRange(await onB.ResumeFramesAsync(Analysis, frames[^1].Id!));

        Assert.Equal(Enumerable.Range(1, frames.Count).Select(i => (long)i), frames.Select(f => f.Sequence));
        Assert.Equal(reference.Text(), frames.Text());
        Assert.Equal(("done", "completed"), (frames[^1].Type, frames[^1]["status"].GetString()));
        var recorded = await onB.GetFramesAsync($"/runs/{frames[0].RunId}/events?after=0");
        Assert.Equal(frames.Select(f => (f.Id, f.Type, f.Data)), recorded.Select(f => (f.Id, f.Type, f.Data)));
    }

    [Fact]
    public async Task CancellingOnOneInstanceStopsTheToolRunningOnTheOther()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("Tools:SalesDelayMs", "60000");
        await using var b = Instance(redis);
        using var cancellations = new MetricCollector<long>(a.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            StreamingMetrics.MeterName, "streamingapi.tool.cancellations");
        var onA = a.CreateClient();

        using var response = await onA.OpenAsync(Analysis);
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        while (await frames.MoveNextAsync() && frames.Current.Type != "tool-call") { }
        var runId = frames.Current.RunId;
        var readOnB = b.CreateClient().GetFramesAsync($"/runs/{runId}/events?after=0");

        using var cancel = await b.CreateClient().PostAsync($"/runs/{runId}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Frame last = frames.Current;
        while (await frames.MoveNextAsync()) last = frames.Current;
        Assert.Equal(("done", "cancelled", "stopped"), (last.Type, last["status"].GetString(), last["reason"].GetString()));
        var remote = await readOnB;
        Assert.Equal((last.Id, last.Data), (remote[^1].Id, remote[^1].Data)); // the reader on B saw the same end
        await cancellations.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        Assert.Contains(cancellations.GetMeasurementSnapshot(), m => Equals(m.Tags["tool"], "fetch_sales_data"));
        await Eventually.TrueAsync(async () => (await b.CreateClient().GetRunAsync(runId)).GetProperty("status").GetString() == "cancelled", "B sees the run cancelled");
    }

    [Fact]
    public async Task WhenRedisDiesMidRunReadersOnBothInstancesGetAnErrorAndDoneAndTheServersRecover()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("OfflineModel:TokensPerSecond", "40");
        await using var b = Instance(redis);
        using var local = await a.CreateClient().OpenAsync("/stream/text?prompt=Write%20a%20long%20essay%20about%20harbours");
        await using var localFrames = local.ReadFramesAsync().GetAsyncEnumerator();
        Assert.True(await localFrames.MoveNextAsync());
        var runId = localFrames.Current.RunId;
        using var remote = await b.CreateClient().OpenAsync($"/runs/{runId}/events?after=0");
        await using var remoteFrames = remote.ReadFramesAsync().GetAsyncEnumerator();
        Assert.True(await remoteFrames.MoveNextAsync() && await remoteFrames.MoveNextAsync());

        await redis.KillAsync();

        foreach (var frames in new[] { localFrames, remoteFrames })
        {
            var rest = new List<Frame>();
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (await frames.MoveNextAsync().AsTask().WaitAsync(bound.Token)) rest.Add(frames.Current);
            Assert.Equal(["error", "done"], rest.TakeLast(2).Select(f => f.Type));
            Assert.Equal("store-unavailable", rest[^2]["type"].GetString());
            Assert.Equal(("failed", "store-unavailable"), (rest[^1]["status"].GetString(), rest[^1]["reason"].GetString()));
        }
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await a.CreateClient().GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await a.CreateClient().GetAsync("/health/live")).StatusCode);
        using var refused = await b.CreateClient().GetAsync("/stream/text?prompt=hello");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

        await redis.RestartAsync();
        await Eventually.TrueAsync(async () => (await a.CreateClient().GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "A is ready again", TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(async () => (await b.CreateClient().GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "B is ready again", TimeSpan.FromSeconds(30));
        var again = await b.CreateClient().GetFramesAsync("/stream/text?prompt=still%20there");
        Assert.Equal("completed", again[^1]["status"].GetString());
    }

    [Fact]
    public async Task WhenTheOwnerInstanceDiesReadersElsewhereGetInstanceLost()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var owner = ProgramProcess.Start(new Dictionary<string, string>
        {
            ["Runs__Store"] = "redis",
            ["ConnectionStrings__Redis"] = redis.ConnectionString,
            ["Redis__LeaseSeconds"] = "2",
            ["OfflineModel__TokensPerSecond"] = "40",
        });
        using var ownerClient = new HttpClient { BaseAddress = await owner.WaitForAddressAsync() };
        await using var b = Instance(redis);
        using var accepted = await ownerClient.PostAsJsonAsync("/runs", new { agent = "writer", prompt = "Write a long essay about harbours" });
        var runId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString()!;

        using var remote = await b.CreateClient().OpenAsync($"/runs/{runId}/events?after=0");
        await using var frames = remote.ReadFramesAsync().GetAsyncEnumerator();
        var seen = new List<Frame>();
        while (seen.Count < 5 && await frames.MoveNextAsync()) seen.Add(frames.Current);

        await owner.DisposeAsync(); // killed, not stopped: no drain, no goodbye
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await frames.MoveNextAsync().AsTask().WaitAsync(bound.Token)) seen.Add(frames.Current);

        Assert.Equal(["error", "done"], seen.TakeLast(2).Select(f => f.Type));
        Assert.Equal("instance-lost", seen[^2]["type"].GetString());
        Assert.Equal(("failed", "instance-lost"), (seen[^1]["status"].GetString(), seen[^1]["reason"].GetString()));
        Assert.Equal(Enumerable.Range(1, seen.Count).Select(i => (long)i), seen.Select(f => f.Sequence));
        Assert.Equal("failed", (await b.CreateClient().GetRunAsync(runId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AnOwnerWhoseRunAnotherInstanceFailedAsLostStopsItAndLeavesThatEndInRedis()
    {
        await using var redis = await RedisServer.StartAsync();
        // The owner's lease lapses once (as after a long pause): its key is removed, and B, asked for the run, fails it.
        await using var a = Instance(redis).With("OfflineModel:TokensPerSecond", "10").With("Redis:LeaseSeconds", "60");
        await using var b = Instance(redis);
        var (onA, onB) = (a.CreateSocketClient(), b.CreateSocketClient());
        using var response = await onA.OpenAsync("/stream/text?prompt=Write%20a%20long%20essay%20about%20harbours");
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        var seen = new List<Frame>();
        while (seen.Count(f => f.Type == "text") < 5 && await frames.MoveNextAsync()) seen.Add(frames.Current);
        var runId = seen[0].RunId;

        var lease = $"streamingapi:instance:{a.Services.GetRequiredService<StreamingApi.Runs.Redis.RedisRunStore>().InstanceId}";
        await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await Eventually.TrueAsync(async () =>
        {
            await connection.GetDatabase().KeyDeleteAsync(lease); // again, should A have renewed it in between
            return (await onB.GetRunAsync(runId)).GetProperty("status").GetString() == "failed";
        }, "B fails the run of an owner without a lease");

        // The owner stops the run (at 10 tokens a second it had a minute to go) and ends it as Redis has it ended.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await frames.MoveNextAsync().AsTask().WaitAsync(bound.Token)) seen.Add(frames.Current);
        Assert.Equal(["error", "done"], seen.TakeLast(2).Select(f => f.Type));
        Assert.Equal("instance-lost", seen[^2]["type"].GetString());
        Assert.Equal(("failed", "instance-lost"), (seen[^1]["status"].GetString(), seen[^1]["reason"].GetString()));
        await a.WaitForNoActiveRunsAsync();
        await a.Logs.WaitForAsync(e => e.RenderMessage() is var line && line.Contains(runId) && line.Contains("another instance marked it failed"));
        Assert.Single(a.Logs.Events, e => e.RenderMessage().Contains("another instance marked it failed")); // said once

        // Redis keeps B's end: the record is not written over by the owner's, and nothing follows B's done.
        var record = await onB.GetRunAsync(runId);
        Assert.Equal(("failed", "instance-lost"), (record.GetProperty("status").GetString(), record.GetProperty("reason").GetString()));
        var stored = await onB.GetFramesAsync($"/runs/{runId}/events?after=0");
        Assert.Equal(["error", "done"], stored.TakeLast(2).Select(f => f.Type));
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(f => f.Sequence));
        Assert.Equal(stored.Count, (int)record.GetProperty("lastSequence").GetInt64());
        var top = await connection.GetDatabase().StreamRangeAsync($"streamingapi:run:{runId}:events", "-", "+", 1, StackExchange.Redis.Order.Descending);
        Assert.Equal($"0-{stored.Count}", (string?)top.Single().Id);
    }

    [Fact]
    public async Task ARunWhoseWriteRedisRefusesFailsAloneAndTheRunsWrittenBesideItGoOn()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("OfflineModel:TokensPerSecond", "20").With("OfflineModel:FixedDeltaCount", "200")
            .With("OfflineModel:FirstTokenDelayMs", "0");
        await using var b = Instance(redis);
        var onA = a.CreateSocketClient();
        var runs = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            var response = await onA.OpenAsync("/stream/text?prompt=Write%20a%20long%20essay%20about%20harbours");
            var frames = response.ReadFramesAsync().GetAsyncEnumerator();
            var seen = new List<Frame>();
            while (seen.Count(f => f.Type == "text") < 2 && await frames.MoveNextAsync()) seen.Add(frames.Current);
            return (Response: response, Frames: frames, Seen: seen);
        }));
        var broken = runs[0].Seen[0].RunId;

        // With some 10 s of text left to each, the first run's stream becomes a string, then Redis holds every write
        // for a second: the runs' events pile up, and the writer's next commands carry many runs' batches, the broken
        // one's among them.
        await using (var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},allowAdmin=true"))
        {
            var batch = admin.GetDatabase().CreateBatch();
            var key = $"streamingapi:run:{broken}:events";
            Task[] sent = [batch.KeyDeleteAsync(key), batch.StringSetAsync(key, "not a stream"), batch.ExecuteAsync("CLIENT", "PAUSE", "1000", "WRITE")];
            batch.Execute();
            await Task.WhenAll(sent);
        }

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        foreach (var (response, frames, seen) in runs)
        {
            while (await frames.MoveNextAsync().AsTask().WaitAsync(bound.Token)) seen.Add(frames.Current);
            await frames.DisposeAsync();
            response.Dispose();
        }
        var (failed, others) = (runs[0].Seen, runs.Skip(1).Select(r => r.Seen).ToList());
        Assert.Equal(["error", "done"], failed.TakeLast(2).Select(f => f.Type));
        Assert.Equal(("failed", "store-unavailable"), (failed[^1]["status"].GetString(), failed[^1]["reason"].GetString()));
        foreach (var live in others)
        {
            Assert.Equal(("done", "completed"), (live[^1].Type, live[^1]["status"].GetString()));
            var stored = await b.CreateSocketClient().GetFramesAsync($"/runs/{live[0].RunId}/events?after=0");
            Assert.Equal(live.Select(f => (f.Id, f.Type, f.Data)), stored.Select(f => (f.Id, f.Type, f.Data)));
        }
    }

    [Fact]
    public async Task WithRedisDownAtStartUpTheServerIsLiveNotReadyAndRecoversWhenRedisComes()
    {
        var port = FreePort.Next();
        await using var app = new StreamingApiApplication()
            .With("Runs:Store", "redis")
            .With("ConnectionStrings:Redis", $"127.0.0.1:{port}");
        var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
        await app.Logs.WaitForAsync(e => e.RenderMessage().Contains($"127.0.0.1:{port} is not reachable"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/stream/text?prompt=hi")).StatusCode);

        await using var redis = await RedisServer.StartAsync(port);
        await Eventually.TrueAsync(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "ready once Redis is there", TimeSpan.FromSeconds(60));
        var frames = await client.GetFramesAsync("/stream/text?prompt=hello");
        Assert.Equal("completed", frames[^1]["status"].GetString());
    }

}
