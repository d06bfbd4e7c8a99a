using System.Net;
using System.Text.Json;
using StackExchange.Redis;
using StreamingApi.Tests.Infrastructure;
using StreamingApi.Tests.Limits;

namespace StreamingApi.Tests.Streams;

/// <summary>
/// What a run's start asks of Redis before its first frame, which carries the run's id: its record is there by then (a
/// client may resume on another instance at once), written in one command; when Redis refuses it, the start is a
/// <c>503</c> problem before any stream starts, and the slot it was admitted with is given back.
/// </summary>
public sealed class RedisRunStartTests
{
    private const string Text = "/stream/text?prompt=Explain%20harbours";

    [Fact]
    public async Task ARunsRecordIsInRedisWithItsExpiryWhenItsFirstFrameArrivesWrittenInOneCommand()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = redis.Instance().WithSlowRuns();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var database = connection.GetDatabase();
        var client = a.CreateSocketClient();
        await client.PostAsync($"/runs/{await client.StartedRunIdAsync()}/cancel", null); // Redis knows the scripts from here on
        await a.WaitForNoActiveRunsAsync();
        await using var monitor = await RedisMonitor.StartAsync(redis.Port);
        await monitor.ClientCommandsAsync();

        using var response = await client.OpenAsync(Text);
        await using var frames = response.ReadFramesAsync().GetAsyncEnumerator();
        Assert.True(await frames.MoveNextAsync());
        var runId = frames.Current.RunId;

        // Redis executed the record's command before the first frame came (the commands up to a mark sent now), in one
        // command: those naming the record but not the stream (the stream's batches name both).
        var recordOnly = (await monitor.ClientCommandsAsync())
            .Where(c => c.Contains($"\"streamingapi:run:{runId}\"", StringComparison.Ordinal) && !c.Contains(":events\"", StringComparison.Ordinal)).ToList();
        Assert.True(recordOnly.Count == 1, $"{recordOnly.Count} commands:\n{string.Join('\n', recordOnly)}");
        Assert.Contains("\"EVAL", recordOnly[0], StringComparison.OrdinalIgnoreCase);
        var record = (await database.HashGetAllAsync($"streamingapi:run:{runId}")).ToDictionary(e => (string)e.Name!, e => (string?)e.Value);
        Assert.Equal(("running", runId, "0"), (record.GetValueOrDefault("status"), record.GetValueOrDefault("runId"), record.GetValueOrDefault("chunks")));
        Assert.False(string.IsNullOrEmpty(record.GetValueOrDefault("owner")), "the record names its owner");
        Assert.True(await database.KeyTimeToLiveAsync($"streamingapi:run:{runId}") is { TotalSeconds: > 0 }, "the record expires");

        await client.PostAsync($"/runs/{runId}/cancel", null);
        await a.WaitForNoActiveRunsAsync();
        a.AssertNoErrorLogged();
    }

    [Fact]
    public async Task WhenRedisRefusesTheRecordTheStartIsA503ProblemAndItsSlotIsGivenBack()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = redis.Instance().WithSlowRuns().With("RateLimits:ConcurrentRuns", "1");
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var database = connection.GetDatabase();
        var client = a.CreateSocketClient();
        await client.PostAsync($"/runs/{await client.StartedRunIdAsync()}/cancel", null);
        await a.WaitForNoActiveRunsAsync();

        // Every key but the limits', the instances' and the waiting runs' is refused: the admission passes, the record does not.
        await database.ExecuteAsync("ACL", "SETUSER", "default", "resetkeys", "~streamingapi:limits:*", "~streamingapi:instance:*", "~streamingapi:waiting");
        using (var refused = await client.GetAsync(Text, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal("store-unavailable", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
        }
        await database.ExecuteAsync("ACL", "SETUSER", "default", "allkeys");

        // The refused start's slot is free again: with one run in progress allowed, the next start is admitted.
        await Eventually.TrueAsync(async () => await database.SortedSetLengthAsync("streamingapi:limits:running:address:127.0.0.1") == 0,
            "the refused start's reservation is removed");
        using var next = await client.OpenAsync(Text);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        await using var frames = next.ReadFramesAsync().GetAsyncEnumerator();
        Assert.True(await frames.MoveNextAsync());
        Assert.Equal("run", frames.Current.Type);
    }
}
