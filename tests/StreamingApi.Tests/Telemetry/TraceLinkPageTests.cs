using StreamingApi.Tests.Browser;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Telemetry;

/// <summary>The console page shows a traced run's trace id, linked to a trace viewer when the server names one.</summary>
[Collection(ProcessTracesCollection.Name)]
public sealed class TraceLinkPageTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task ThePageLinksATracedRunToItsTraceThroughTheTemplateTheServerGives()
    {
        var spans = new SpanCapture();
        await using var app = new StreamingApiApplication().With("Telemetry:TraceUrlTemplate", "http://localhost:16686/trace/{traceId}").WithSpans(spans);
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);

        await console.StartAsync("text", "Explain how rivers shape valleys");
        Assert.Equal("completed", await console.WaitForEndAsync());
        var frames = await console.RawFramesAsync();
        var run = await spans.RunEndedAsync(frames[0].RunId);

        var link = console.Page.Locator("#run-info a[data-trace-id]");
        Assert.Equal($"trace {run.TraceId.ToHexString()}", await link.InnerTextAsync());
        Assert.Equal($"http://localhost:16686/trace/{run.TraceId.ToHexString()}", await link.GetAttributeAsync("href"));
        Assert.Empty(await console.PolicyViolationsAsync());
    }

    [Fact]
    public async Task WithoutATemplateThePageShowsTheTraceIdAlone()
    {
        var spans = new SpanCapture();
        await using var app = new StreamingApiApplication().WithSpans(spans);
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);

        await console.StartAsync("text", "Explain how rivers shape valleys");
        Assert.Equal("completed", await console.WaitForEndAsync());

        Assert.Equal(0, await console.Page.Locator("#run-info a").CountAsync());
        Assert.StartsWith("trace ", await console.Page.InnerTextAsync("#run-info [data-trace-id]"));
    }
}
