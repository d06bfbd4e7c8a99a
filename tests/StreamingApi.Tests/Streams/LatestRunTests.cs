using System.Net;
using System.Text.Json;
using StreamingApi.Runs;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>
/// A thread's latest run, as the run store keeps it for resuming a chat: in memory and in Redis, where another
/// instance finds it and resumes it.
/// </summary>
public sealed class LatestRunTests
{
    private static string Chat(string chatId, string text) =>
        $$"""{"id":"{{chatId}}","messages":[{"id":"u","role":"user","parts":[{"type":"text","text":"{{text}}"}]}]}""";

    [Theory]
    [InlineData(RunOptions.MemoryStore)]
    [InlineData(RunOptions.RedisStore)]
    public async Task TheLatestRunReplacesTheOneBeforeAndTheEntryGoesWithItsRun(string store)
    {
        await using var redis = store == RunOptions.RedisStore ? await RedisServer.StartAsync() : null;
        await using var app = Instance(redis).With("Runs:RetentionSeconds", "1").With("OfflineModel:TokensPerSecond", "200");
        var client = app.CreateClient();

        var first = await RunIdOfAsync(client, "/api/chat", Chat("thread-a", "Explain tides"));
        Assert.Equal(first, (await app.Runs.FindLatestAsync("thread-a", CancellationToken.None))?.RunId);
        using var second = await client.OpenPostAsync("/api/chat", Chat("thread-a", "Write a long essay about harbours"));
        var secondId = await FirstPartsMessageIdAsync(second);

        var latest = await app.Runs.FindLatestAsync("thread-a", CancellationToken.None);
        Assert.Equal((secondId, "thread-a", true), (latest?.RunId, latest?.ThreadId, latest?.IsRunning));
        Assert.Null(await app.Runs.FindLatestAsync("thread-b", CancellationToken.None));
        // The first run expires; its thread's entry, which a later run took over, stays.
        await Eventually.TrueAsync(async () => await app.Runs.FindAsync(first, CancellationToken.None) is null, "the first run has expired");
        Assert.Equal(secondId, (await app.Runs.FindLatestAsync("thread-a", CancellationToken.None))?.RunId);

        await client.PostAsync($"/runs/{secondId}/cancel", null);
        await Eventually.TrueAsync(async () => await app.Runs.FindLatestAsync("thread-a", CancellationToken.None) is null,
            "the thread has no latest run once its run has expired");
    }

    [Fact]
    public async Task AChatStartedOnOneInstanceIsResumedOnTheOtherFromItsStart()
    {
        await using var redis = await RedisServer.StartAsync();
        // Paced so that the run is still going when the client comes back on the other instance, on a slow machine too.
        // The run lasts about 40 s: the instances keep the default lease, so that a test process busy with other tests
        // for a couple of seconds does not have its run failed as instance-lost under the reader (the lease is not
        // what this test is about; RedisRunTests has the instance that dies).
        await using var a = Instance(redis).With("OfflineModel:TokensPerSecond", "100").With("Runs:DetachGraceSeconds", "30")
            .With("Redis:LeaseSeconds", "10");
        await using var b = Instance(redis).With("Redis:LeaseSeconds", "10");
        // The same answer, unpaced, from an instance of its own: the offline model's text does not depend on its pace.
        await using var unpaced = new StreamingApiApplication().With("OfflineModel:TokensPerSecond", "0");
        var reference = await Frames(await unpaced.CreateClient().OpenPostAsync("/api/chat", Chat("reference", "Write a long essay about canals")));

        using (var cut = await a.CreateSocketClient().OpenPostAsync("/api/chat", Chat("two-instances", "Write a long essay about canals")))
        {
            await FirstPartsMessageIdAsync(cut); // read the start, then the connection is dropped
        }
        using var resumed = await b.CreateClient().OpenAsync("/api/chat/two-instances/stream");
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        var frames = await Frames(resumed);

        Assert.Equal("start", frames[0].GetProperty("type").GetString());
        Assert.Empty(frames.Where(p => p.GetProperty("type").GetString() == "error").Select(p => p.GetRawText()));
        Assert.Equal("finish", frames[^1].GetProperty("type").GetString());
        Assert.Equal(Text(reference), Text(frames));
        using var after = await b.CreateClient().GetAsync("/api/chat/two-instances/stream");
        Assert.Equal(HttpStatusCode.NoContent, after.StatusCode);
    }

    private static StreamingApiApplication Instance(RedisServer? redis) => redis is null
        ? new StreamingApiApplication()
        : redis.Instance();

    private static async Task<string> RunIdOfAsync(HttpClient client, string url, string body)
    {
        var frames = await Frames(await client.OpenPostAsync(url, body));
        return frames[0].GetProperty("messageId").GetString()!;
    }

    /// <summary>The message id of the stream's first part, <c>start</c>: the run's id.</summary>
    private static async Task<string> FirstPartsMessageIdAsync(HttpResponseMessage response)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return JsonDocument.Parse(line!["data: ".Length..]).RootElement.GetProperty("messageId").GetString()!;
    }

    /// <summary>The stream's parts, read to its end (bounded), without the final [DONE].</summary>
    private static async Task<List<JsonElement>> Frames(HttpResponseMessage response)
    {
        using var _ = response;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var parts = new List<JsonElement>();
        await foreach (var frame in response.ReadFramesAsync(timeout.Token))
            if (frame.Data != "[DONE]") parts.Add(frame.Payload);
        return parts;
    }

    private static string Text(List<JsonElement> parts) =>
        string.Concat(parts.Where(p => p.GetProperty("type").GetString() == "text-delta").Select(p => p.GetProperty("delta").GetString()));
}
