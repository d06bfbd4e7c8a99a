using System.Collections.Concurrent;
using Microsoft.Playwright;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Browser;

/// <summary>
/// The console page at <c>/</c> in a fresh browser context, recording every request it makes, any dialog and anything
/// its Content-Security-Policy refuses.
/// </summary>
public sealed class ConsolePage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<string> _requests = new();

    private readonly PolicyViolations _violations;

    private ConsolePage(IBrowserContext context, IPage page, Uri app, PolicyViolations violations)
    {
        _context = context;
        Page = page;
        App = app;
        _violations = violations;
        page.Request += (_, request) => _requests.Enqueue(request.Url);
        page.Dialog += async (_, dialog) =>
        {
            DialogOpened = true;
            await dialog.DismissAsync();
        };
    }

    public IPage Page { get; }

    public Uri App { get; }

    public bool DialogOpened { get; private set; }

    public IReadOnlyList<string> Requests => [.. _requests];

    public static Task<ConsolePage> OpenAsync(IBrowser browser, StreamingApiApplication app, int width = 1280, int height = 900) =>
        OpenAsync(browser, app.BaseAddress, width, height);

    /// <summary>The page as served at <paramref name="address"/> (the app, or a proxy in front of it).</summary>
    public static async Task<ConsolePage> OpenAsync(IBrowser browser, Uri address, int width = 1280, int height = 900)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = address.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        // Anything not served by the app is refused, and stays in Requests for the test to see.
        await context.RouteAsync(url => !url.StartsWith(address.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal),
            route => route.AbortAsync());
        var violations = await PolicyViolations.WatchAsync(context);
        var page = await context.NewPageAsync();
        var console = new ConsolePage(context, page, address, violations);
        await page.GotoAsync("/");
        return console;
    }

    public async Task StartAsync(string endpoint, string prompt)
    {
        await Page.SelectOptionAsync("#endpoint", endpoint);
        await Page.FillAsync("#prompt", prompt);
        await Page.ClickAsync("#start");
    }

    public Task<string> StateAsync() => Page.TextContentAsync("#state")!;

    /// <summary>Waits until the page knows whether the server requires credentials (GET /auth): "required" or "off".</summary>
    public async Task<string> AuthAsync()
    {
        await Page.WaitForSelectorAsync("body[data-auth]", new() { State = WaitForSelectorState.Attached, Timeout = 15_000 });
        return (await Page.GetAttributeAsync("body", "data-auth"))!;
    }

    /// <summary>Gives the page an API key through its key form.</summary>
    public async Task EnterKeyAsync(string key)
    {
        await Page.FillAsync("#api-key", key);
        await Page.ClickAsync("#key-submit");
    }

    /// <summary>Waits (bounded) until the run has ended (not starting, running, waiting, stopping or reconnecting) and returns the state shown.</summary>
    public async Task<string> WaitForEndAsync(float timeoutMs = 30_000)
    {
        await Page.WaitForFunctionAsync("() => !['starting', 'running', 'waiting', 'stopping', 'reconnecting'].includes(document.getElementById('state').dataset.state)", null,
            new PageWaitForFunctionOptions { Timeout = timeoutMs, PollingInterval = 50 });
        return (await StateAsync())!;
    }

    /// <summary>The raw frames log, oldest first.</summary>
    public async Task<List<Frame>> RawFramesAsync()
    {
        var rows = await Page.Locator("#raw tr").EvaluateAllAsync<string[][]>("rows => rows.map(row => [...row.children].map(cell => cell.textContent))");
        return [.. rows.Select(row => new Frame(row[1], row[0], row[2]))];
    }

    /// <summary>The run the page's address names (<c>?run=</c>), or null.</summary>
    public string? RunInAddress => System.Web.HttpUtility.ParseQueryString(new Uri(Page.Url).Query)["run"];

    /// <summary>What the page's own markdown renderer makes of <paramref name="text"/>, as the DOM serializes it.</summary>
    public Task<string> RenderMarkdownAsync(string text) => Page.EvaluateAsync<string>("""
        async text => {
          const container = document.createElement('div');
          container.innerHTML = (await import('/markdown.js')).renderMarkdown(text);
          return container.innerHTML;
        }
        """, text);

    /// <summary>What the page's Content-Security-Policy has refused so far (see <see cref="PolicyViolations"/>).</summary>
    public Task<IReadOnlyList<string>> PolicyViolationsAsync() => _violations.InAsync(Page);

    public IEnumerable<string> RequestsOutsideTheApp() =>
        Requests.Where(url => !url.StartsWith(App.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal) && !url.StartsWith("data:", StringComparison.Ordinal));

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
