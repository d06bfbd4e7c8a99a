using Microsoft.Playwright;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Browser;

/// <summary>The console page and Swagger UI work in Chromium under the Content-Security-Policy they are served with.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ContentSecurityPolicyTests(BrowserFixture browser)
{
    [Fact]
    public async Task TheConsolePageStreamsARunWithoutAnyPolicyViolation()
    {
        await using var app = new StreamingApiApplication().With("OfflineModel:TokensPerSecond", "400");
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);

        // Markdown with a table (marked aligns cells with attributes, not styles), the tool timeline, the result card.
        await console.StartAsync("analysis", "Analyze our 2024 sales");
        Assert.Equal("completed", await console.WaitForEndAsync());
        Assert.True(await console.Page.Locator("#output h1, #output h2, #output p").CountAsync() > 0);
        Assert.Equal("validated", await console.Page.InnerTextAsync("#result-state"));
        var rendered = await console.RenderMarkdownAsync("| a | b |\n|:-:|--:|\n| 1 | 2 |\n\n**bold** [link](https://example.com)");
        Assert.Contains("<table>", rendered);

        // The progress bar's width is set from script (CSSOM), which the policy allows, unlike a style attribute.
        await console.StartAsync("progress", "Explain how rivers shape valleys");
        Assert.Equal("completed", await console.WaitForEndAsync());
        Assert.Equal("100%", await console.Page.EvalOnSelectorAsync<string>("#p-bar span", "span => span.style.width"));

        AssertNone(await console.PolicyViolationsAsync());
        Assert.Empty(console.RequestsOutsideTheApp());
    }

    [Fact]
    public async Task SwaggerUiShowsTheOperationsWithoutAnyPolicyViolation()
    {
        await using var app = new StreamingApiApplication();
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() });
        var violations = await PolicyViolations.WatchAsync(context);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/swagger/index.html");
        await page.WaitForSelectorAsync(".opblock-summary-path", new() { Timeout = 15_000 });
        Assert.Contains("StreamingApi", await page.InnerTextAsync(".info .title"));
        await page.Locator(".opblock").First.ClickAsync(); // an operation opens: more of the UI renders
        await page.WaitForSelectorAsync(".opblock-body", new() { Timeout = 5_000 });

        AssertNone(await violations.InAsync(page));
    }

    private static void AssertNone(IReadOnlyList<string> violations) =>
        Assert.True(violations.Count == 0, "the policy refused:\n" + string.Join("\n", violations));
}
