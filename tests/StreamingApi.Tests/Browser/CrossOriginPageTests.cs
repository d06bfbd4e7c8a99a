using System.Text.Json;
using Microsoft.Playwright;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Browser;

/// <summary>
/// A frontend hosted on another site, in Chromium: a page on an origin in <c>Cors:AllowedOrigins</c> calls the API
/// as <c>useChat</c> and a resuming client do, and reads what they read; a page on any other origin gets nothing.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CrossOriginPageTests(BrowserFixture browser)
{
    private const string Chat = """{"id":"chat-cors","messages":[{"id":"u1","role":"user","parts":[{"type":"text","text":"Explain tides"}]}]}""";

    /// <summary>Fetches, then reads the body until it holds <c>until</c> (or ends); a refused fetch returns its error's name.</summary>
    private const string Call = """
        async ({ url, method, headers, body, until }) => {
          let response;
          try { response = await fetch(url, { method, headers, body }); }
          catch (error) { return { refused: error.name }; }
          const read = {};
          for (const name of ['location', 'retry-after', 'x-vercel-ai-ui-message-stream', 'content-type']) read[name] = response.headers.get(name);
          const reader = response.body.getReader();
          const decoder = new TextDecoder();
          let text = '';
          while (!text.includes(until)) {
            const { value, done } = await reader.read();
            if (done) break;
            text += decoder.decode(value, { stream: true });
          }
          await reader.cancel();
          return { status: response.status, headers: read, text };
        }
        """;

    [Fact]
    public async Task APageOnAnAllowedOriginStreamsAndReadsTheExposedHeaders()
    {
        await using var site = OtherOrigin.Start();
        await using var app = new StreamingApiApplication()
            .With("Cors:AllowedOrigins:0", site.Origin)
            .With("Runs:ReplayWindow", "100000"); // the run's first events are still held when the page asks for them
        var api = app.BaseAddress.GetLeftPart(UriPartial.Authority);
        await using var context = await browser.Browser.NewContextAsync();
        var page = await OpenAsync(context, site);

        // useChat's request: JSON and a key, so preflighted; the answer's first events, and the protocol's header.
        var chat = await page.EvaluateAsync<JsonElement>(Call, new
        {
            url = $"{api}/api/chat", method = "POST", body = Chat, until = "text-delta",
            headers = new Dictionary<string, string> { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer a-key" },
        });
        Assert.False(chat.TryGetProperty("refused", out _), chat.ToString());
        Assert.Equal(200, chat.GetProperty("status").GetInt32());
        Assert.Equal("v1", chat.GetProperty("headers").GetProperty("x-vercel-ai-ui-message-stream").GetString());
        Assert.StartsWith("data: {\"type\":\"start\"", chat.GetProperty("text").GetString());

        // A background run: its address in Location, then its events after a position, as a resuming client asks.
        var started = await page.EvaluateAsync<JsonElement>(Call, new
        {
            url = $"{api}/runs", method = "POST", body = """{"agent":"writer","prompt":"Explain tides"}""", until = "}",
            headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
        });
        Assert.Equal(202, started.GetProperty("status").GetInt32());
        var location = started.GetProperty("headers").GetProperty("location").GetString();
        Assert.StartsWith("/runs/", location);
        var runId = location!["/runs/".Length..];

        var events = await page.EvaluateAsync<JsonElement>(Call, new
        {
            url = $"{api}{location}/events", method = "GET", body = (string?)null, until = $"id: {runId}:3",
            headers = new Dictionary<string, string> { ["Last-Event-ID"] = $"{runId}:1" },
        });
        Assert.Equal(200, events.GetProperty("status").GetInt32());
        Assert.StartsWith("text/event-stream", events.GetProperty("headers").GetProperty("content-type").GetString());
        var text = events.GetProperty("text").GetString()!;
        Assert.Contains($"id: {runId}:2\n", text);
        Assert.DoesNotContain($"id: {runId}:1\n", text);
    }

    [Fact]
    public async Task APageOnAnyOtherOriginIsRefused()
    {
        await using var allowed = OtherOrigin.Start();
        await using var other = OtherOrigin.Start();
        await using var app = new StreamingApiApplication().With("Cors:AllowedOrigins:0", allowed.Origin);
        var api = app.BaseAddress.GetLeftPart(UriPartial.Authority);
        await using var context = await browser.Browser.NewContextAsync();
        var page = await OpenAsync(context, other);

        // Refused at the preflight: the request itself is never sent.
        var chat = await page.EvaluateAsync<JsonElement>(Call, new
        {
            url = $"{api}/api/chat", method = "POST", body = Chat, until = "",
            headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
        });
        Assert.Equal("TypeError", chat.GetProperty("refused").GetString());

        // A simple request is sent, but its answer is kept from the page.
        var health = await page.EvaluateAsync<JsonElement>(Call, new
        {
            url = $"{api}/health/live", method = "GET", body = (string?)null, until = "",
            headers = new Dictionary<string, string>(),
        });
        Assert.Equal("TypeError", health.GetProperty("refused").GetString());
    }

    private static async Task<IPage> OpenAsync(IBrowserContext context, OtherOrigin site)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Origin + "/");
        Assert.Equal("another site", await page.TitleAsync());
        return page;
    }
}
