using System.Net;
using System.Text;
using System.Text.Json;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

public sealed class BadInputTests : IClassFixture<BadInputTests.App>
{
    private readonly HttpClient _client;

    public BadInputTests(App app) => _client = app.CreateClient();

    public sealed class App() : IAsyncDisposable
    {
        private readonly StreamingApiApplication _app = new();

        public HttpClient CreateClient() => _app.CreateClient();

        public ValueTask DisposeAsync() => _app.DisposeAsync();
    }

    public static TheoryData<string, string, string?> BadRequests => new()
    {
        { "GET", "/stream/text", null },
        { "GET", "/stream/text?prompt=", null },
        { "GET", "/stream/text?prompt=%20%20", null },
        { "GET", "/stream/text?prompt=" + new string('a', 4001), null },
        { "GET", "/stream/text?prompt=hi&maxSeconds=0", null },
        { "GET", "/stream/text?prompt=hi&maxSeconds=3601", null },
        { "GET", "/stream/text?prompt=hi&maxSeconds=soon", null },
        { "GET", "/stream/analysis", null },
        { "GET", "/stream/progress?prompt=hi&every=0", null },
        { "GET", "/stream/progress?prompt=hi&every=many", null },
        { "GET", "/stream/buffered?prompt=hi&minChars=0", null },
        { "GET", "/stream/buffered?prompt=hi&maxDelayMs=-5", null },
        { "GET", "/stream/flaky?prompt=hi&fail=maybe", null },
        { "POST", "/stream/text", """{"prompt":""" },
        { "POST", "/stream/text", """{"maxSeconds":5}""" },
        { "POST", "/stream/text", """{"prompt":"hi","maxSeconds":"five"}""" },
        { "POST", "/stream/text", "[1,2,3]" },
        { "POST", "/stream/progress", """{"prompt":"hi","every":-1}""" },
        { "POST", "/agent/text", """{"prompt":""}""" },
        { "POST", "/runs", """{"prompt":"hi"}""" },
        { "POST", "/runs", """{"agent":"poet","prompt":"hi"}""" },
        { "POST", "/runs", """{"agent":"writer","prompt":""}""" },
        { "POST", "/runs", """{"agent":"writer","prompt":"hi","every":0}""" },
        { "POST", "/runs", """{"agent":"writer","prompt":"hi","maxDelayMs":-1}""" },
        { "POST", "/runs", """{"agent":"writer","prompt":"hi","maxSeconds":"soon"}""" },
        { "GET", "/runs/0123456789abcdef/events?after=-1", null },
        { "GET", "/runs/0123456789abcdef/events?after=later", null },
    };

    public static TheoryData<string, string> BadLastEventIds => new()
    {
        { "/stream/text?prompt=hi", "nonsense" },
        { "/stream/text?prompt=hi", "0123456789abcdef:" },
        { "/stream/text?prompt=hi", ":12" },
        { "/stream/text?prompt=hi", "0123456789abcdef:-1" },
        { "/stream/text?prompt=hi", "0123456789abcdef:1.5" },
        { "/stream/analysis?prompt=hi", "run id:3" },
        { "/runs/0123456789abcdef/events", "x" },
        { "/runs/0123456789abcdef/events", "fedcba9876543210:3" }, // another run's id
    };

    [Theory]
    [MemberData(nameof(BadLastEventIds))]
    public async Task AMalformedLastEventIdGetsA400ProblemDetailsNeverANewRun(string url, string lastEventId)
    {
        using var response = await _client.ReconnectAsync(url, lastEventId);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("Last-Event-ID", problem.GetProperty("title").GetString());
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadInputGetsA400ProblemDetailsBeforeAnyStream(string method, string url, string? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.True(problem.TryGetProperty("errors", out _) || problem.TryGetProperty("detail", out _), "the problem says what is wrong");
    }

    [Fact]
    public async Task PromptLimitIsConfigurable()
    {
        await using var app = new StreamingApiApplication().With("Streaming:MaxPromptChars", "10");
        var client = app.CreateClient();

        using var tooLong = await client.GetAsync("/stream/text?prompt=eleven%20char");
        var problem = JsonDocument.Parse(await tooLong.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("at most 10 characters", problem.GetProperty("errors").GetProperty("Prompt")[0].GetString());

        var fits = await client.GetFramesAsync("/stream/text?prompt=ten%20chars");
        Assert.Equal("completed", fits[^1]["status"].GetString());
    }
}
