using System.Net;
using System.Net.ServerSentEvents;
using StreamingApi.Browsers;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Browser;

/// <summary>The security headers on the page, its files, Swagger UI and the API, streams included.</summary>
public sealed class SecurityHeadersTests : IClassFixture<SecurityHeadersTests.App>
{
    private const string PagePolicy = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'";

    private readonly App _app;

    public SecurityHeadersTests(App app) => _app = app;

    public sealed class App : IAsyncDisposable
    {
        public StreamingApiApplication Instance { get; } = new();

        public ValueTask DisposeAsync() => Instance.DisposeAsync();
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/app.js")]
    [InlineData("/app.css")]
    [InlineData("/lib/marked/marked.esm.js")]
    [InlineData("/stream/event-types.js")]
    [InlineData("/health/live")]
    [InlineData("/runs/no-such-run")]
    public async Task ThePageItsFilesAndTheApiGetTheHeaders(string path)
    {
        using var client = _app.Instance.CreateClient();

        using var response = await client.GetAsync(path);

        AssertHeaders(response, PagePolicy);
    }

    [Fact]
    public async Task SwaggerUiGetsItsOwnPolicy()
    {
        using var client = _app.Instance.CreateClient();

        using var response = await client.GetAsync("/swagger/index.html");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertHeaders(response, SecurityHeaders.SwaggerContentSecurityPolicy);
    }

    [Fact]
    public async Task AStreamGetsTheHeadersAndStillStreams()
    {
        using var client = _app.Instance.CreateSocketClient();

        using var response = await client.GetAsync("/stream/text?prompt=Explain%20tides", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        AssertHeaders(response, PagePolicy);
        var types = new List<string>();
        await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync()).EnumerateAsync()) types.Add(item.EventType);
        Assert.Equal("run", types[0]);
        Assert.Equal("done", types[^1]);
    }

    private static void AssertHeaders(HttpResponseMessage response, string policy)
    {
        Assert.Equal(policy, string.Join(", ", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", string.Join(", ", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", string.Join(", ", response.Headers.GetValues("Referrer-Policy")));
    }
}
