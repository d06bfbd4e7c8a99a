using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Auth;

/// <summary>API keys: off by default; once configured, every endpoint with runs needs one, in either header.</summary>
public sealed class ApiKeyTests
{
    private const string Text = "/stream/text?prompt=Explain%20server-sent%20events";

    [Fact]
    public async Task WithoutAuthSettingsNothingIsRequiredAndRunsHaveNoPrincipal()
    {
        await using var app = new StreamingApiApplication();
        var client = app.CreateSocketClient();

        var auth = await client.GetFromJsonAsync<JsonElement>("/auth");
        var frames = await client.GetFramesAsync(Text);

        Assert.False(auth.GetProperty("required").GetBoolean());
        Assert.Empty(auth.GetProperty("schemes").EnumerateArray());
        Assert.Equal("done", frames[^1].Type);
        Assert.False((await client.GetRunAsync(frames[0].RunId)).TryGetProperty("principal", out _));
    }

    [Theory]
    [InlineData("/stream/text?prompt=hi")]
    [InlineData("/runs/0123456789abcdef")]
    [InlineData("/runs/0123456789abcdef/events")]
    [InlineData("/api/chat/some-chat/stream")]
    public async Task WithKeysARequestWithoutOneGets401ProblemDetailsWithAChallenge(string url)
    {
        await using var app = new StreamingApiApplication().WithAliceAndBob();

        using var response = await app.CreateSocketClient().GetAsync(url);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.Equal(401, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task WithKeysAWrongKeyIsRefusedInEitherHeader()
    {
        await using var app = new StreamingApiApplication().WithAliceAndBob();
        var client = app.CreateSocketClient();

        using var bearer = new HttpRequestMessage(HttpMethod.Get, Text) { Headers = { { "Authorization", "Bearer not-a-key" } } };
        using var header = new HttpRequestMessage(HttpMethod.Get, Text) { Headers = { { "X-Api-Key", TestApiKeys.Alice + "x" } } };

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(bearer)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(header)).StatusCode);
        Assert.Equal(0, app.Runs.ActiveCount);
    }

    [Fact]
    public async Task WithKeysAKeyInEitherHeaderStartsARunRecordedForItsName()
    {
        await using var app = new StreamingApiApplication().WithAliceAndBob();
        var bearer = app.CreateClientWithKey(TestApiKeys.Alice);
        var header = app.CreateSocketClient();
        header.DefaultRequestHeaders.Add("X-Api-Key", TestApiKeys.Bob);

        var alices = await bearer.GetFramesAsync(Text);
        var bobs = await header.GetFramesAsync(Text);

        Assert.Equal(("done", "done"), (alices[^1].Type, bobs[^1].Type));
        Assert.Equal("apikey:alice", (await bearer.GetRunAsync(alices[0].RunId)).GetProperty("principal").GetString());
        Assert.Equal("apikey:bob", (await header.GetRunAsync(bobs[0].RunId)).GetProperty("principal").GetString());
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/index.html")]
    [InlineData("/health")]
    [InlineData("/health/ready")]
    [InlineData("/swagger/v1/swagger.json")]
    [InlineData("/stream/event-types.js")]
    [InlineData("/auth")]
    public async Task WithKeysThePageTheApiDocumentAndHealthStayOpen(string url)
    {
        await using var app = new StreamingApiApplication().WithAliceAndBob();

        using var response = await app.CreateSocketClient().GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task GetAuthSaysKeysAndTicketsAreRequired()
    {
        await using var app = new StreamingApiApplication().WithAliceAndBob();

        var auth = await app.CreateSocketClient().GetFromJsonAsync<JsonElement>("/auth");

        Assert.True(auth.GetProperty("required").GetBoolean());
        Assert.Equal(["apiKey", "ticket"], auth.GetProperty("schemes").EnumerateArray().Select(s => s.GetString()));
    }
}
