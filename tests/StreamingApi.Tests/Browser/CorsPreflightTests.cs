using System.Net;
using System.Net.Http.Json;
using StreamingApi.Browsers;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Browser;

/// <summary>CORS as a browser asks for it, over a real socket: preflights and the headers on the answer itself.</summary>
public sealed class CorsPreflightTests : IClassFixture<CorsPreflightTests.App>
{
    private const string Allowed = "http://frontend.example:3000";
    private const string Other = "http://elsewhere.example";

    private readonly App _app;

    public CorsPreflightTests(App app) => _app = app;

    public sealed class App : IAsyncDisposable
    {
        public StreamingApiApplication Instance { get; } = new StreamingApiApplication()
            .With(CrossOrigin.Section, $"{Allowed}/, http://another-frontend.example"); // one value, comma-separated

        public ValueTask DisposeAsync() => Instance.DisposeAsync();
    }

    public static TheoryData<string, string, string> FrontendRequests => new()
    {
        { "/api/chat", "POST", "content-type,authorization" },             // useChat
        { "/api/agents/writer/ag-ui", "POST", "accept,content-type" },      // AG-UI's HttpAgent
        { "/runs/r1/events", "GET", "last-event-id" },                      // a resumed stream
        { "/api/chat/chat-1/stream", "GET", "authorization,last-event-id" }, // useChat's resume
    };

    [Theory]
    [MemberData(nameof(FrontendRequests))]
    public async Task APreflightFromAnAllowedOriginIsGranted(string path, string method, string headers)
    {
        using var response = await PreflightAsync(_app.Instance, path, Allowed, method, headers);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Allowed, Single(response, "Access-Control-Allow-Origin"));
        Assert.Contains(method, Single(response, "Access-Control-Allow-Methods"));
        var allowedHeaders = Single(response, "Access-Control-Allow-Headers")!.ToLowerInvariant();
        foreach (var header in headers.Split(',')) Assert.Contains(header, allowedHeaders);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials")); // keys go in a header, never cookies
        Assert.Equal("600", Single(response, "Access-Control-Max-Age"));
    }

    [Theory]
    [MemberData(nameof(FrontendRequests))]
    public async Task APreflightFromAnyOtherOriginIsNotGranted(string path, string method, string headers)
    {
        using var response = await PreflightAsync(_app.Instance, path, Other, method, headers);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Headers"));
    }

    [Fact]
    public async Task WithoutTheSettingNoOtherOriginIsGranted()
    {
        await using var app = new StreamingApiApplication();

        using var response = await PreflightAsync(app, "/api/chat", Allowed, "POST", "content-type");

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task TheAnswerToAnAllowedOriginExposesTheHeadersFrontendsRead()
    {
        using var client = _app.Instance.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/runs") { Content = JsonContent.Create(new { agent = "writer", prompt = "Explain tides" }) };
        request.Headers.Add("Origin", Allowed);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(Allowed, Single(response, "Access-Control-Allow-Origin"));
        var exposed = Single(response, "Access-Control-Expose-Headers")!.Split(',', StringSplitOptions.TrimEntries);
        Assert.Equal(["Location", "Retry-After", "WWW-Authenticate", "x-vercel-ai-ui-message-stream"], exposed);
    }

    private static async Task<HttpResponseMessage> PreflightAsync(StreamingApiApplication app, string path, string origin, string method, string headers)
    {
        using var client = app.CreateSocketClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return await client.SendAsync(request);
    }

    private static string? Single(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
