using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Auth;

/// <summary>A run is its principal's: another principal finds no such run, on one instance or across two on Redis.</summary>
public sealed class OwnershipTests
{
    private static string Chat(string chatId, string text) =>
        $$"""{"id":"{{chatId}}","messages":[{"id":"u","role":"user","parts":[{"type":"text","text":"{{text}}"}]}]}""";

    private static async Task<string> StartLongRunAsync(HttpClient client)
    {
        using var accepted = await client.PostAsJsonAsync("/runs", new { agent = "writer", prompt = "Write a long essay about harbours" });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        return (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString()!;
    }

    [Fact]
    public async Task AnotherPrincipalGets404ForTheRecordEventsAndCancelAndNothingToResume()
    {
        await using var app = new StreamingApiApplication().WithAliceAndBob().With("OfflineModel:TokensPerSecond", "20");
        var (alice, bob) = (app.CreateClientWithKey(TestApiKeys.Alice), app.CreateClientWithKey(TestApiKeys.Bob));
        var runId = await StartLongRunAsync(alice);

        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/runs/{runId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/runs/{runId}/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsync($"/runs/{runId}/cancel", null)).StatusCode);
        // A reconnect is answered as one to a run that does not exist: 204, so that the browser stops reconnecting.
        using (var resumed = await bob.ReconnectAsync("/stream/text?prompt=hi", $"{runId}:1"))
            Assert.Equal(HttpStatusCode.NoContent, resumed.StatusCode);
        using (var resumed = await bob.ReconnectAsync($"/runs/{runId}/events", $"{runId}:1"))
            Assert.Equal(HttpStatusCode.NoContent, resumed.StatusCode);

        var run = await alice.GetRunAsync(runId);
        Assert.Equal(("running", "apikey:alice"), (run.GetProperty("status").GetString(), run.GetProperty("principal").GetString()));
        var frames = await alice.ReadThenDropAsync($"/runs/{runId}/events", 3);
        Assert.Equal(runId, frames[0].RunId);
        Assert.Equal(HttpStatusCode.Accepted, (await alice.PostAsync($"/runs/{runId}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task AnotherPrincipalFindsNoRunToResumeInAChat()
    {
        await using var app = new StreamingApiApplication().WithAliceAndBob().With("OfflineModel:TokensPerSecond", "20")
            .With("Runs:DetachGraceSeconds", "30");
        var (alice, bob) = (app.CreateClientWithKey(TestApiKeys.Alice), app.CreateClientWithKey(TestApiKeys.Bob));
        using (var started = await alice.OpenPostAsync("/api/chat", Chat("chat-of-alice", "Write a long essay about canals")))
            Assert.Equal(HttpStatusCode.OK, started.StatusCode);

        using var bobs = await bob.GetAsync("/api/chat/chat-of-alice/stream");
        using var alices = await alice.OpenAsync("/api/chat/chat-of-alice/stream");

        Assert.Equal(HttpStatusCode.NoContent, bobs.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alices.StatusCode);
    }

    [Fact]
    public async Task AnotherPrincipalConnectingToAnAgUiThreadFindsNoRun()
    {
        await using var app = new StreamingApiApplication().WithAliceAndBob().With("OfflineModel:TokensPerSecond", "20")
            .With("Runs:DetachGraceSeconds", "30");
        var (alice, bob) = (app.CreateClientWithKey(TestApiKeys.Alice), app.CreateClientWithKey(TestApiKeys.Bob));
        using (var started = await alice.OpenPostAsync("/api/agents/writer/ag-ui",
                   """{"threadId":"thread-of-alice","runId":"r1","messages":[{"id":"u","role":"user","content":"Write a long essay about canals"}]}"""))
            Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        const string connect = """{"threadId":"thread-of-alice","messages":[]}""";

        using var bobs = await bob.OpenPostAsync("/api/agents/writer/ag-ui/connect", connect);
        var bobsEvents = await bobs.ReadFramesAsync().ToListAsync();
        using var alices = await alice.OpenPostAsync("/api/agents/writer/ag-ui/connect", connect);
        var alicesFirst = await alices.ReadFramesAsync().FirstAsync();

        Assert.Equal(HttpStatusCode.OK, bobs.StatusCode);
        Assert.Empty(bobsEvents);
        Assert.Equal("RUN_STARTED", alicesFirst.Payload.GetProperty("type").GetString());
    }

    [Fact]
    public async Task OnRedisAnotherPrincipalGets404OnTheOtherInstanceAndTheOwnerReadsThere()
    {
        await using var redis = await RedisServer.StartAsync();
        StreamingApiApplication Instance() => redis.Instance(new StreamingApiApplication().WithAliceAndBob()).With("OfflineModel:TokensPerSecond", "20");
        await using var a = Instance();
        await using var b = Instance();
        var runId = await StartLongRunAsync(a.CreateClientWithKey(TestApiKeys.Alice));
        var (alice, bob) = (b.CreateClientWithKey(TestApiKeys.Alice), b.CreateClientWithKey(TestApiKeys.Bob));

        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/runs/{runId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/runs/{runId}/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsync($"/runs/{runId}/cancel", null)).StatusCode);
        using (var resumed = await bob.ReconnectAsync("/stream/text?prompt=hi", $"{runId}:1"))
            Assert.Equal(HttpStatusCode.NoContent, resumed.StatusCode);

        Assert.Equal("apikey:alice", (await alice.GetRunAsync(runId)).GetProperty("principal").GetString());
        Assert.Equal(runId, (await alice.ReadThenDropAsync($"/runs/{runId}/events", 2))[0].RunId);
        Assert.Equal(HttpStatusCode.Accepted, (await alice.PostAsync($"/runs/{runId}/cancel", null)).StatusCode);
    }
}
