using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Serilog.Events;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

public sealed class BadInputTests : IClassFixture<BadInputTests.App>, IClassFixture<BadInputTests.AuthApp>
{
    private readonly HttpClient _client;
    private readonly AuthApp _authApp;

    public BadInputTests(App app, AuthApp authApp)
    {
        _client = app.CreateClient();
        _authApp = authApp;
    }

    public sealed class App() : IAsyncDisposable
    {
        private readonly StreamingApiApplication _app = new();

        public HttpClient CreateClient() => _app.CreateClient();

        public ValueTask DisposeAsync() => _app.DisposeAsync();
    }

    /// <summary>An app that requires credentials: Alice's and Bob's API keys, and JWTs from a loopback provider.</summary>
    public sealed class AuthApp : IAsyncLifetime
    {
        private OpenIdProvider? _provider;

        public StreamingApiApplication Application { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _provider = await OpenIdProvider.StartAsync();
            Application = WithCredentials(new StreamingApiApplication(), _provider);
        }

        public static StreamingApiApplication WithCredentials(StreamingApiApplication app, OpenIdProvider provider) => app
            .WithAliceAndBob()
            .With("Auth:Jwt:Authority", provider.Issuer)
            .With("Auth:Jwt:Audience", "streamingapi")
            .With("Auth:Jwt:RequireHttpsMetadata", "false");

        public async Task DisposeAsync()
        {
            await Application.DisposeAsync();
            if (_provider is not null) await _provider.DisposeAsync();
        }
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

    /// <summary>A query value that does not parse is named in the problem, with the parameter it was for.</summary>
    [Theory]
    [InlineData("/stream/text?prompt=hi&maxSeconds=abc", "MaxSeconds", "abc")]
    [InlineData("/stream/progress?prompt=hi&every=many", "Every", "many")]
    [InlineData("/stream/buffered?prompt=hi&maxDelayMs=1.5", "MaxDelayMs", "1.5")]
    [InlineData("/stream/flaky?prompt=hi&fail=maybe", "Fail", "maybe")]
    [InlineData("/runs/0123456789abcdef/events?after=later", "after", "later")]
    public async Task AQueryValueThatDoesNotParseIsNamedInTheProblem(string url, string parameter, string value)
    {
        using var response = await _client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
        Assert.Contains($" {parameter}\" from \"{value}\"", detail);
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

    /// <summary>
    /// A request with credentials that are no one's. Sent as raw bytes over a socket (<see cref="SendRawAsync"/>), so
    /// that a header may be repeated, huge or not ASCII exactly as written. <c>{ticket}</c> in the URL is replaced by a
    /// ticket issued to Alice for the test. <paramref name="Status"/> is what the client gets; <paramref name="ByKestrel"/>
    /// says Kestrel refuses the request itself, before the app sees it: a bare status, no problem details and no request
    /// line in the app's log.
    /// </summary>
    public sealed record AuthCase(string Method, string Url, string? Body, string[] Headers, int Status = 401, bool ByKestrel = false);

    private const string ChatBody = """{"messages":[{"id":"m1","role":"user","parts":[{"type":"text","text":"hi"}]}]}""";

    /// <summary>Every endpoint that needs credentials, with a request that would otherwise start, read or cancel a run.</summary>
    private static readonly (string Method, string Url, string? Body)[] ProtectedEndpoints =
    [
        ("GET", "/stream/text?prompt=hi", null),
        ("POST", "/stream/analysis", """{"prompt":"hi"}"""),
        ("POST", "/runs", """{"agent":"writer","prompt":"hi"}"""),
        ("GET", "/runs/0123456789abcdef", null),
        ("GET", "/runs/0123456789abcdef/events", null),
        ("POST", "/runs/0123456789abcdef/cancel", null),
        ("POST", "/api/chat", ChatBody),
        ("GET", "/api/chat/chat-1/stream", null),
        ("POST", "/api/agents/writer/chat", ChatBody),
        ("GET", "/api/agents/writer/chat/chat-1/stream", null),
        ("POST", "/api/agents/writer/ag-ui", """{"threadId":"t1","runId":"r1","messages":[{"id":"m1","role":"user","content":"hi"}]}"""),
        ("POST", "/api/agents/writer/ag-ui/connect", """{"threadId":"t1"}"""),
        ("POST", "/agent/text", """{"prompt":"hi"}"""),
        ("POST", "/auth/tickets", null),
    ];

    private static readonly string Huge = new('k', 10 * 1024);

    /// <summary>A header value holding <paramref name="text"/>'s UTF-8 bytes, as <see cref="SendRawAsync"/> writes them (Latin-1, byte for byte).</summary>
    private static string Utf8Bytes(string text) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));

    /// <summary>Credentials in headers, each answered 401 by the app on every endpoint.</summary>
    private static readonly (string Name, string[] Headers)[] BadHeaders =
    [
        ("none", []),
        ("a key without a scheme", ["Authorization: " + TestApiKeys.Alice]),
        ("Bearer and nothing", ["Authorization: Bearer"]),
        ("Bearer and spaces", ["Authorization: Bearer    "]),
        ("Basic", ["Authorization: Basic YWxpY2U6c2VjcmV0"]),
        ("a 10 KB bearer token", ["Authorization: Bearer " + Huge]),
        ("two Authorization headers", ["Authorization: Bearer " + TestApiKeys.Alice, "Authorization: Bearer " + TestApiKeys.Bob]),
        ("two 10 KB Authorization headers", ["Authorization: Bearer " + Huge, "Authorization: Bearer " + Huge]),
        ("a JWT of garbage", ["Authorization: Bearer bm90.YS1qd3Q.c2lnbmF0dXJl"]),
        ("a JWT of symbols", ["Authorization: Bearer !!.??.**"]),
        ("a UTF-8 bearer token", ["Authorization: " + Utf8Bytes("Bearer clé-ключ-鍵")]),
        ("a control character in a bearer token", ["Authorization: Bearer a\u0001b"]), // Kestrel lets it through
        ("an empty X-Api-Key", ["X-Api-Key: "]),
        ("a 10 KB X-Api-Key", ["X-Api-Key: " + Huge]),
        ("two X-Api-Key headers", ["X-Api-Key: " + TestApiKeys.Alice, "X-Api-Key: " + TestApiKeys.Alice]),
    ];

    /// <summary>Tickets on the GET endpoints: none of them Alice's ticket as issued.</summary>
    private static readonly (string Name, string Query)[] BadTickets =
    [
        ("an empty ticket", "ticket="),
        ("a garbage ticket", "ticket=not-a-ticket"),
        ("a 6 KB ticket", "ticket=" + new string('t', 6 * 1024)),
        ("a ticket twice", "ticket={ticket}&ticket={ticket}"),
        ("two tickets, one garbage", "ticket={ticket}&ticket=x"),
        ("a non-ASCII ticket", "ticket=%C3%A9%FF%00"),
    ];

    public static IReadOnlyDictionary<string, AuthCase> AuthCases { get; } = BuildAuthCases();

    private static Dictionary<string, AuthCase> BuildAuthCases()
    {
        var cases = new Dictionary<string, AuthCase>();
        foreach (var (method, url, body) in ProtectedEndpoints)
        {
            foreach (var (name, headers) in BadHeaders) cases[$"{method} {url}: {name}"] = new(method, url, body, headers);
            var separator = url.Contains('?') ? "&" : "?";
            if (method == "GET")
                foreach (var (name, query) in BadTickets) cases[$"{method} {url}: {name}"] = new(method, url + separator + query, body, []);
            else
                cases[$"{method} {url}: a valid ticket on a POST"] = new(method, url + separator + "ticket={ticket}", body, []); // tickets are for GETs only
        }

        // Refused by Kestrel before the app, with a bare status and no problem details: a request line beyond its limit
        // (8 KB), and header values that are not UTF-8 (a Latin-1 byte). The app never sees these requests, so it cannot
        // answer them otherwise; Kestrel logs them at Debug.
        cases["GET /stream/text?prompt=hi: a 10 KB ticket"] = new("GET", "/stream/text?prompt=hi&ticket=" + Huge, null, [], 414, ByKestrel: true);
        foreach (var (method, url, body) in ProtectedEndpoints)
        {
            cases[$"{method} {url}: a Latin-1 bearer token"] = new(method, url, body, ["Authorization: Bearer cl\u00e9"], 400, ByKestrel: true);
        }
        cases["POST /runs: a Latin-1 X-Api-Key"] = new("POST", "/runs", """{"agent":"writer","prompt":"hi"}""", ["X-Api-Key: \u00ff\u00fe"], 400, ByKestrel: true);
        return cases;
    }

    public static TheoryData<string> AuthCaseNames => [.. AuthCases.Keys];

    [Theory]
    [MemberData(nameof(AuthCaseNames))]
    public async Task BadCredentialsGetA4xxProblemDetailsNeverAStream(string name)
    {
        var badCase = AuthCases[name];
        var response = await SendRawAsync(_authApp.Application, badCase, await TicketAsync(_authApp.Application));

        Assert.Equal(badCase.Status, response.Status);
        if (badCase.ByKestrel) return;
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains($"\"status\":{badCase.Status}", response.Body);
        Assert.StartsWith("Bearer", response.Header("WWW-Authenticate"));
    }

    /// <summary>As <see cref="BadInputIsLoggedAsWhatTheClientGotNeverAsAnError"/>, for credentials that are no one's.</summary>
    [Fact]
    public async Task BadCredentialsAreLoggedAsWhatTheClientGotNeverAsAnError()
    {
        await using var provider = await OpenIdProvider.StartAsync();
        await using var app = AuthApp.WithCredentials(new StreamingApiApplication(), provider);
        var ticket = await TicketAsync(app);
        var lies = new List<string>();

        var logged = app.Logs.Events.Count(LogCapture.IsRequestLine);
        foreach (var (name, badCase) in AuthCases)
        {
            var response = await SendRawAsync(app, badCase, ticket);
            Assert.True(response.Status is >= 400 and < 500, $"{name} answered {response.Status}, not a 4xx");
            if (badCase.ByKestrel) continue;

            logged++;
            await Eventually.TrueAsync(() => app.Logs.Events.Count(LogCapture.IsRequestLine) == logged, $"{name} is logged");
            var line = app.Logs.Events.Where(LogCapture.IsRequestLine).Last();
            if (LogCapture.Scalar(line, "StatusCode") != response.Status.ToString() || line.Level is not (LogEventLevel.Information or LogEventLevel.Warning)
                || line.Exception is not null)
                lies.Add($"{name} answered {response.Status}, logged {LogCapture.Scalar(line, "StatusCode")} at {line.Level}");
        }

        Assert.True(lies.Count == 0, $"{lies.Count} request lines are not what the client got:\n{string.Join("\n", lies)}");
        Assert.DoesNotContain(app.Logs.Events, e => e.Level >= LogEventLevel.Error);
        Assert.DoesNotContain(app.Logs.Events, e => e.Exception is not null);
        Assert.DoesNotContain(app.Logs.Events, LogCapture.IsRunEnded); // no run started
    }

    [Fact]
    public void TheTablesHoldAtLeastAHundredBadRequests() =>
        Assert.True(EveryBadRequest().Count() + AuthCases.Count >= 100, $"{EveryBadRequest().Count()} + {AuthCases.Count}");

    /// <summary>A ticket issued to Alice, unused.</summary>
    private static async Task<string> TicketAsync(StreamingApiApplication app)
    {
        using var client = app.CreateClientWithKey(TestApiKeys.Alice);
        using var response = await client.PostAsync("/auth/tickets", null);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("ticket").GetString()!;
    }

    private sealed record RawResponse(int Status, IReadOnlyList<string> Headers, string Body)
    {
        public string? Header(string name) => Headers
            .Where(line => line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            .Select(line => line[(name.Length + 1)..].Trim()).FirstOrDefault();

        public string? ContentType => Header("Content-Type")?.Split(';')[0];
    }

    /// <summary>Writes <paramref name="badCase"/> on a socket byte for byte (Latin-1: each char one byte) and reads the whole answer.</summary>
    private static async Task<RawResponse> SendRawAsync(StreamingApiApplication app, AuthCase badCase, string ticket)
    {
        var address = app.BaseAddress;
        var head = new StringBuilder($"{badCase.Method} {badCase.Url.Replace("{ticket}", ticket)} HTTP/1.1\r\nHost: {address.Authority}\r\nConnection: close\r\n");
        foreach (var header in badCase.Headers) head.Append(header).Append("\r\n");
        var body = badCase.Body ?? "";
        if (badCase.Method == "POST") head.Append($"Content-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n");
        head.Append("\r\n");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port, timeout.Token);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head.ToString()), timeout.Token);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(body), timeout.Token);
        using var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token); // Connection: close: the answer ends with the connection

        var text = Encoding.UTF8.GetString(received.ToArray());
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"no HTTP answer: {text}");
        var lines = text[..end].Split("\r\n");
        return new RawResponse(int.Parse(lines[0].Split(' ')[1]), lines[1..], text[(end + 4)..]);
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
