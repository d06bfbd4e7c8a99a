using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StreamingApi.Limits;
using StreamingApi.Runs.Redis;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Limits;

/// <summary>A caller's limits on two instances that share one real redis-server: what it does on one counts on the other.</summary>
public sealed class RedisLimitTests
{
    private static StreamingApiApplication Instance(RedisServer redis) => redis.Instance();

    [Fact]
    public async Task RunsStartedOnOneInstanceDrawOnTheBucketOfTheOther()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("RateLimits:RunsPerMinute", "2");
        await using var b = Instance(redis).With("RateLimits:RunsPerMinute", "2");
        var (onA, onB) = (a.CreateClient(), b.CreateClient());

        await onA.StartedRunIdAsync();
        await onA.StartedRunIdAsync();

        using var refused = await onB.StartRunAsync();
        await refused.AssertRefusedAsync("rate-limited");
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 30);
        a.AssertNoErrorLogged();
        b.AssertNoErrorLogged();
    }

    [Fact]
    public async Task ARunInProgressOnOneInstanceCountsOnTheOtherUntilItEnds()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).WithSlowRuns().With("RateLimits:ConcurrentRuns", "1");
        await using var b = Instance(redis).WithSlowRuns().With("RateLimits:ConcurrentRuns", "1");
        var (onA, onB) = (a.CreateClient(), b.CreateClient());
        var running = await onA.StartedRunIdAsync();

        using var refused = await onB.StartRunAsync();
        await refused.AssertRefusedAsync("too-many-concurrent-runs");

        Assert.Equal(HttpStatusCode.Accepted, (await onB.PostAsync($"/runs/{running}/cancel", null)).StatusCode); // stopped from B, on A
        await a.WaitForNoActiveRunsAsync();
        var next = await onB.StartedRunIdAsync();
        await onB.PostAsync($"/runs/{next}/cancel", null);
        await b.WaitForNoActiveRunsAsync();
        a.AssertNoErrorLogged();
        b.AssertNoErrorLogged();
    }

    [Fact]
    public async Task RunsStartedAtTheSameInstantOnTwoInstancesNeverPassTheCallersRunsInProgress()
    {
        await using var redis = await RedisServer.StartAsync();
        var gate = new RunStartGate();
        await using var a = Instance(redis).WithSlowRuns().With("RateLimits:ConcurrentRuns", "2").WithRunStartGate(gate);
        await using var b = Instance(redis).WithSlowRuns().With("RateLimits:ConcurrentRuns", "2").WithRunStartGate(gate);
        var (onA, onB) = (a.CreateClient(), b.CreateClient());

        var (started, refused) = await new[] { onA, onB }.StartRunsAtOnceAsync(gate, 6);

        Assert.Equal(2, started.Count);
        Assert.Equal(4, refused.Count);
        Assert.Equal(2, await onB.RunsInProgressAsync());
        foreach (var runId in started) Assert.Equal(HttpStatusCode.Accepted, (await onA.PostAsync($"/runs/{runId}/cancel", null)).StatusCode);
        await a.WaitForNoActiveRunsAsync();
        await b.WaitForNoActiveRunsAsync();
        await Eventually.TrueAsync(async () => await onA.RunsInProgressAsync() == 0, "the runs' slots are free");
        a.AssertNoErrorLogged();
        b.AssertNoErrorLogged();
    }

    [Fact]
    public async Task ARequestAdmittedThatStartsNoRunGivesItsSlotBackOnEveryInstance()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).WithSlowRuns().With("RateLimits:ConcurrentRuns", "1");
        await using var b = Instance(redis).WithSlowRuns().With("RateLimits:ConcurrentRuns", "1");
        var (onA, onB) = (a.CreateClient(), b.CreateClient());

        using var bad = await onA.PostAsJsonAsync("/runs", new { agent = "writer" }); // no prompt: 400 after admission
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        await Eventually.TrueAsync(async () => await onB.RunsInProgressAsync() == 0, "the bad request's slot is free");
        var running = await onB.StartedRunIdAsync();
        Assert.Equal(1, await onA.RunsInProgressAsync());
        await onB.PostAsync($"/runs/{running}/cancel", null);
        await b.WaitForNoActiveRunsAsync();
    }

    [Fact]
    public async Task TokensUsedOnOneInstanceSpendTheQuotaOnTheOther()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("Quotas:TokensPerDay", "1");
        await using var b = Instance(redis).With("Quotas:TokensPerDay", "1");
        var (onA, onB) = (a.CreateClient(), b.CreateClient());

        var frames = await onA.GetFramesAsync("/stream/text?prompt=hi");
        Assert.Equal("completed", frames[^1]["status"].GetString());

        await Eventually.TrueAsync(async () =>
        {
            using var response = await onB.StartRunAsync();
            return response.StatusCode == HttpStatusCode.TooManyRequests;
        }, "B refuses once A's run has been counted");
        using var refused = await onB.StartRunAsync();
        await refused.AssertRefusedAsync("quota-exceeded");
    }

    [Fact]
    public async Task WithRedisOutOfReachARunIsRefusedAsTheStoreUnavailableNotAsAnError()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("Quotas:TokensPerDay", "1000");
        var client = a.CreateClient();
        await client.StartedRunIdAsync();
        await a.WaitForNoActiveRunsAsync();
        await redis.KillAsync();
        await Eventually.TrueAsync(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable,
            "the instance knows Redis is gone");

        using var refused = await client.StartRunAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("store-unavailable", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/usage")).StatusCode);
        // The readiness check's own line is an error on purpose: Redis is gone. Nothing else is.
        Assert.DoesNotContain(a.Logs.Events, e => e.Level >= Serilog.Events.LogEventLevel.Error && !e.MessageTemplate.Text.StartsWith("Health check", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheSharedBucketRefillsAsTheClockGoesOn()
    {
        await using var redis = await RedisServer.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = redis.ConnectionString }).Build();
        await using var connection = new RedisConnection(configuration, NullLogger<RedisConnection>.Instance);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var bucket = new RedisTokenBucket(connection, "test:bucket", 2, TimeSpan.FromSeconds(30), time);

        Assert.True((await bucket.AcquireAsync()).IsAcquired);
        Assert.True((await bucket.AcquireAsync()).IsAcquired);
        var refused = await bucket.AcquireAsync();
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(30), retryAfter);

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False((await bucket.AcquireAsync()).IsAcquired);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await bucket.AcquireAsync()).IsAcquired);
        Assert.False((await bucket.AcquireAsync()).IsAcquired);
        time.Advance(TimeSpan.FromMinutes(10)); // never more than it holds
        Assert.True((await bucket.AcquireAsync()).IsAcquired);
        Assert.True((await bucket.AcquireAsync()).IsAcquired);
        Assert.False((await bucket.AcquireAsync()).IsAcquired);
    }
}
