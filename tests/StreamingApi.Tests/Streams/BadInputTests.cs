using System.Net;
using System.Text;
using System.Text.Json;
using Serilog.Events;
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
        { "GET", "/stream/text?prompt=hi&maxSeconds=abc", null },
        { "GET", "/stream/text?prompt=hi&maxSeconds=NaN", null },
        { "GET", "/stream/text?prompt=hi&maxSeconds=1.5", null },
        { "GET", "/stream/text?prompt=hi&maxSeconds=2147483648", null },
        { "GET", "/stream/analysis", null },
        { "GET", "/stream/progress?prompt=hi&every=0", null },
        { "GET", "/stream/progress?prompt=hi&every=many", null },
        { "GET", "/stream/progress?prompt=hi&every=2147483648", null },
        { "GET", "/stream/buffered?prompt=hi&minChars=0", null },
        { "GET", "/stream/buffered?prompt=hi&maxDelayMs=-5", null },
        { "GET", "/stream/flaky?prompt=hi&fail=maybe", null },
        { "POST", "/stream/text", """{"prompt":""" },
        { "POST", "/stream/text", """{"maxSeconds":5}""" },
        { "POST", "/stream/text", """{"prompt":"hi","maxSeconds":"five"}""" },
        { "POST", "/stream/text", "[1,2,3]" },
        { "POST", "/stream/text", "{prompt: hi}" },
        { "POST", "/stream/text", "not json" },
        { "POST", "/stream/text", "" },
        { "POST", "/stream/text", """{"prompt":"hi","maxSeconds":NaN}""" },
        { "POST", "/stream/text", """{"prompt":"hi","maxSeconds":2147483648}""" },
        { "POST", "/stream/progress", """{"prompt":"hi","every":2147483648}""" },
        { "POST", "/stream/progress", """{"prompt":"hi","every":-1}""" },
        { "POST", "/agent/text", """{"prompt":""}""" },
        { "POST", "/agent/text", """{"prompt":""" },
        { "POST", "/agent/text", "" },
        { "POST", "/runs", """{"prompt":"hi"}""" },
        { "POST", "/runs", """{"agent":"poet","prompt":"hi"}""" },
        { "POST", "/runs", """{"agent":"writer","prompt":""}""" },
        { "POST", "/runs", """{"agent":"writer","prompt":"hi","every":0}""" },
        { "POST", "/runs", """{"agent":"writer","prompt":"hi","maxDelayMs":-1}""" },
        { "POST", "/runs", """{"agent":"writer","prompt":"hi","maxSeconds":"soon"}""" },
        { "POST", "/runs", """{"agent":"writer","prompt":""" },
        { "POST", "/runs", "" },
        { "POST", "/api/chat", """{"messages":""" },
        { "POST", "/api/chat", "" },
        { "POST", "/api/agents/writer/ag-ui", """{"messages":""" },
        { "POST", "/api/agents/writer/ag-ui", "" },
        { "GET", "/runs/0123456789abcdef/events?after=-1", null },
        { "GET", "/runs/0123456789abcdef/events?after=later", null },
        { "GET", "/runs/0123456789abcdef/events?after=9223372036854775808", null },
    };

    /// <summary>A body of another media type is a 415, a missing body a 400: the client's mistakes too, and said so.</summary>
    public static TheoryData<string, string?, string?, HttpStatusCode> BadBodies => new()
    {
        { "/stream/text", """{"prompt":"hi"}""", "text/plain", HttpStatusCode.UnsupportedMediaType },
        { "/stream/text", "prompt=hi", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType },
        { "/runs", """{"agent":"writer","prompt":"hi"}""", "text/plain", HttpStatusCode.UnsupportedMediaType },
        { "/api/chat", """{"messages":[]}""", "text/plain", HttpStatusCode.UnsupportedMediaType },
        { "/stream/text", null, null, HttpStatusCode.BadRequest },
        { "/runs", null, null, HttpStatusCode.BadRequest },
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
        using var request = Request(method, url, body);
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.True(problem.TryGetProperty("errors", out _) || problem.TryGetProperty("detail", out _), "the problem says what is wrong");
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task ABodyThatIsNotJsonGetsProblemDetailsThatSaySo(string url, string? body, string? contentType, HttpStatusCode expected)
    {
        using var request = Request("POST", url, body, contentType);
        using var response = await _client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
    }

    /// <summary>
    /// Alerts fire on errors and on 5xx: a client's mistake must be neither in the log, or every bad client pages
    /// someone. The app is a fresh one, so that its log holds only these requests, sent one at a time so that the
    /// n-th request line is the n-th request's.
    /// </summary>
    [Fact]
    public async Task BadInputIsLoggedAsWhatTheClientGotNeverAsAnError()
    {
        await using var app = new StreamingApiApplication();
        var client = app.CreateClient();
        var lies = new List<string>();

        var sent = 0;
        foreach (var request in EveryBadRequest())
        {
            using (request)
            {
                var what = $"{request.Method} {request.RequestUri}{(request.Content is null ? "" : " " + await request.Content.ReadAsStringAsync())}";
                using var response = await client.SendAsync(request);
                var wire = (int)response.StatusCode;
                Assert.True(wire is >= 400 and < 500, $"{what} answered {wire}, not a 4xx");

                sent++;
                await Eventually.TrueAsync(() => app.Logs.Events.Count(LogCapture.IsRequestLine) == sent, $"{what} is logged");
                var line = app.Logs.Events.Where(LogCapture.IsRequestLine).Last();
                var logged = LogCapture.Scalar(line, "StatusCode");
                if (logged != wire.ToString() || line.Level is not (LogEventLevel.Information or LogEventLevel.Warning) || line.Exception is not null)
                    lies.Add($"{what} answered {wire}, logged {logged} at {line.Level}{(line.Exception is null ? "" : " with " + line.Exception.GetType().Name)}");
                Assert.Equal(request.RequestUri!.AbsolutePath, LogCapture.Scalar(line, "RequestPath"));
            }
        }

        Assert.True(lies.Count == 0, $"{lies.Count} of {sent} request lines are not what the client got:\n{string.Join("\n", lies)}");
        Assert.DoesNotContain(app.Logs.Events, e => e.Level >= LogEventLevel.Error);
        Assert.DoesNotContain(app.Logs.Events, e => e.Exception is not null);
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

    private static HttpRequestMessage Request(string method, string url, string? body, string? contentType = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType ?? "application/json");
        return request;
    }

    private static HttpRequestMessage Reconnect(string url, string lastEventId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        return request;
    }

    /// <summary>Every request of the tables above, as the tests above send it.</summary>
    private static IEnumerable<HttpRequestMessage> EveryBadRequest() =>
    [
        .. BadRequests.Select(row => Request((string)row[0], (string)row[1], (string?)row[2])),
        .. BadBodies.Select(row => Request("POST", (string)row[0], (string?)row[1], (string?)row[2])),
        .. BadLastEventIds.Select(row => Reconnect((string)row[0], (string)row[1])),
    ];
}
