using Microsoft.Playwright;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class ConsolePageTests(BrowserFixture browser)
{
    [Fact]
    public async Task TextGrowsOnScreenWhileItStreams()
    {
        await using var app = new StreamingApiApplication().With("OfflineModel:TokensPerSecond", "40");
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);

        await console.Page.SelectOptionAsync("#endpoint", "text");
        await console.Page.FillAsync("#prompt", "Explain how rivers shape valleys");
        await console.Page.PressAsync("#prompt", "Control+Enter"); // the keyboard starts a run too

        var seen = new HashSet<int>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await console.StateAsync() == "running" && DateTime.UtcNow < deadline)
        {
            var length = (await console.Page.InnerTextAsync("#output")).Length;
            if (length > 0 && await console.StateAsync() == "running") seen.Add(length);
            await Task.Delay(100);
        }

        Assert.Equal("completed", await console.WaitForEndAsync());
        Assert.True(seen.Count >= 2, $"the text should be seen growing, saw {seen.Count} intermediate states");
        Assert.Equal("Explain how rivers shape valleys", await console.Page.InnerTextAsync("#output h1"));
        Assert.True(await console.Page.Locator("#output h2").CountAsync() >= 1);
        Assert.Empty(console.RequestsOutsideTheApp());
    }

    [Fact]
    public async Task AnalysisShowsEachToolStepThenTheResultCard()
    {
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "200")
            .With("Tools:SalesDelayMs", "3000") // long enough that a loaded machine still reads the card while it runs
            .With("Tools:CustomerDelayMs", "500");
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);

        await console.StartAsync("analysis", "Analyze our 2024 sales");
        await console.Page.WaitForSelectorAsync("#tools li[data-state=running]", new() { Timeout = 10_000 });
        Assert.Matches(@"running \d+\.\d s|running", await console.Page.InnerTextAsync("#tools li[data-state=running] .when"));

        Assert.Equal("completed", await console.WaitForEndAsync());
        var steps = console.Page.Locator("#tools li");
        Assert.Equal(4, await steps.CountAsync());
        Assert.Equal(4, await console.Page.Locator("#tools li[data-state=done]").CountAsync());
        Assert.Equal(["fetch_sales_data", "fetch_sales_data", "fetch_customer_data", "calculate_growth"],
            await console.Page.Locator("#tools .name").AllInnerTextsAsync());
        Assert.Matches(@"^\d+ ms$", await console.Page.InnerTextAsync("#tools li >> nth=0 >> .when"));
        Assert.Equal("validated", await console.Page.InnerTextAsync("#result-state"));
        Assert.Contains("$10,635,675", await console.Page.InnerTextAsync("#result .summary"));
        Assert.True(await console.Page.Locator("#result ul >> nth=0 >> li").CountAsync() >= 3);
        Assert.Equal(3, await console.Page.Locator("#result .sources li").CountAsync());
        Assert.Empty(console.RequestsOutsideTheApp());

        var screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(screenshots);
        await console.Page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "analysis.png"), FullPage = true });
    }

    [Fact]
    public async Task StopCancelsTheRunOnTheServerAndTheStreamEndsWithItsDone()
    {
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "20")
            .With("Runs:DetachGraceSeconds", "60"); // were Stop merely to close the stream, the run would go on
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);

        await console.StartAsync("text", "Write a long essay about lighthouses");
        await console.Page.WaitForFunctionAsync("() => document.getElementById('output').innerText.length > 20", null, new() { Timeout = 10_000 });
        Assert.Equal(1, app.Runs.ActiveCount);
        await console.Page.ClickAsync("#stop");

        Assert.Equal("cancelled", await console.WaitForEndAsync());
        Assert.StartsWith("stopped", await console.Page.InnerTextAsync("#done-info"));
        var ended = await app.Logs.WaitForAsync(LogCapture.IsRunEnded);
        Assert.Equal("cancelled", LogCapture.Scalar(ended, "Status"));
        Assert.Equal("stopped", LogCapture.Scalar(ended, "Reason"));
        await app.WaitForNoActiveRunsAsync();
        Assert.True(await console.Page.IsEnabledAsync("#start"));
    }

    [Fact]
    public async Task ACutConnectionReconnectsAndTheTextContinuesFromWhereItStopped()
    {
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "60")
            .With("Runs:DetachGraceSeconds", "60")
            // Every frame replayed exactly, however long the reconnect takes (a return past the window gets a snapshot,
            // which AReloadMidAnswer… covers).
            .With("Runs:ReplayWindow", "100000");
        const string prompt = "Explain how rivers shape valleys";
        var reference = await app.CreateClient().GetFramesAsync("/stream/text?prompt=" + Uri.EscapeDataString(prompt), 60);
        await using var proxy = new TcpProxy(app.BaseAddress);
        await using var console = await ConsolePage.OpenAsync(browser.Browser, proxy.Address);

        await console.StartAsync("text", prompt);
        await console.Page.WaitForFunctionAsync("() => document.getElementById('output').innerText.length > 200", null, new() { Timeout = 20_000 });
        var runInfo = await console.Page.InnerTextAsync("#run-info");
        proxy.DropAll(); // the network fails mid-answer

        await console.Page.WaitForFunctionAsync("() => document.getElementById('state').dataset.state === 'reconnecting'", null,
            new() { Timeout = 10_000, PollingInterval = 20 });
        Assert.Equal("completed", await console.WaitForEndAsync(60_000));

        var rows = await console.Page.Locator("#raw tr").EvaluateAllAsync<string[][]>(
            "rows => rows.map(row => [...row.children].map(cell => cell.textContent))");
        var runId = rows[0][0].Split(":")[0];
        Assert.Equal(Enumerable.Range(1, rows.Length).Select(i => $"{runId}:{i}"), rows.Select(row => row[0])); // none lost, none twice
        var text = string.Concat(rows.Where(row => row[1] == "text").Select(row => System.Text.Json.JsonDocument.Parse(row[2]).RootElement.GetProperty("delta").GetString()));
        Assert.Equal(reference.Text(), text);
        Assert.Equal(runInfo, await console.Page.InnerTextAsync("#run-info")); // the same run
        Assert.True(proxy.Connections >= 3, "the page, the stream, and the stream again after the cut");
        await app.Logs.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("A reader resumed run", StringComparison.Ordinal));
        await app.WaitForNoActiveRunsAsync(); // a run's end is logged before it stops counting as active
        Assert.Equal(2, app.Logs.Events.Count(LogCapture.IsRunEnded)); // the reference and the page's: the reconnect started none
        Assert.Empty(console.RequestsOutsideTheApp());
    }

    [Fact]
    public async Task TheFlakyEndpointShowsItsError()
    {
        await using var app = new StreamingApiApplication();
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);

        await console.Page.SelectOptionAsync("#endpoint", "flaky");
        Assert.True(await console.Page.IsCheckedAsync("#fail"));
        await console.Page.FillAsync("#prompt", "Check stock in Europe");
        await console.Page.ClickAsync("#start");

        Assert.Equal("failed", await console.WaitForEndAsync());
        Assert.True(await console.Page.IsVisibleAsync("#error"));
        Assert.Contains("A tool failed (502)", await console.Page.InnerTextAsync("#error"));
        Assert.Equal("failed", await console.Page.GetAttributeAsync("#tools li", "data-state"));
        Assert.Contains("tool-failed", await console.Page.InnerTextAsync("#done-info"));
    }

    [Fact]
    public async Task MarkupInThePromptStaysInertText()
    {
        await using var app = new StreamingApiApplication();
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);
        const string attack = "<img src=x onerror=alert(1)> <script>alert(2)</script> ![p](http://198.51.100.7/pixel.png)";

        await console.StartAsync("text", attack);

        Assert.Equal("completed", await console.WaitForEndAsync());
        Assert.Equal(0, await console.Page.Locator("#output img, #output script, #output [onerror]").CountAsync());
        Assert.Contains("<img src=x onerror=alert(1)>", await console.Page.TextContentAsync("#reasoning")); // the model thinks about it
        Assert.Equal(0, await console.Page.Locator("#reasoning *:not(p)").CountAsync());
        Assert.Contains("<img src=x onerror=alert(1)>", await console.Page.InnerTextAsync("#output"));
        Assert.False(console.DialogOpened);
        Assert.DoesNotContain(console.Requests, url => new Uri(url) is var uri && (uri.AbsolutePath == "/x" || uri.Host == "198.51.100.7"));
        Assert.Empty(console.RequestsOutsideTheApp());
    }

    [Fact]
    public async Task TheRawFramesAndTheCurlCommandMatchTheRequest()
    {
        await using var app = new StreamingApiApplication();
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app, width: 390, height: 844);

        await console.Page.SelectOptionAsync("#endpoint", "progress");
        await console.Page.FillAsync("#every", "5");
        await console.Page.FillAsync("#prompt", "Explain queues");
        Assert.Equal($"curl -N \"{console.App.GetLeftPart(UriPartial.Authority)}/stream/progress?prompt=Explain+queues&every=5\"",
            await console.Page.InnerTextAsync("#curl"));
        await console.Page.ClickAsync("#start");

        Assert.Equal("completed", await console.WaitForEndAsync());
        await console.Page.ClickAsync("#raw-panel summary");
        var rows = console.Page.Locator("#raw tr");
        Assert.Equal(int.Parse(await console.Page.InnerTextAsync("#raw-count")), await rows.CountAsync());
        Assert.Equal("run", await rows.Nth(0).Locator("td").Nth(1).InnerTextAsync());
        Assert.Equal("done", await rows.Last.Locator("td").Nth(1).InnerTextAsync());
        Assert.EndsWith(":1", await rows.Nth(0).Locator("td").Nth(0).InnerTextAsync());
        Assert.NotEqual("0", await console.Page.InnerTextAsync("#p-chunks"));
        // Readable on a phone: nothing wider than the 390 px screen.
        Assert.True(await console.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"));
        Assert.True(await console.Page.IsVisibleAsync("#progress-panel"));
    }

    [Fact]
    public async Task ReasoningShowsInACollapsibleBlockAboveTheAnswer()
    {
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "60")
            .With("Tools:SalesDelayMs", "300");
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);

        await console.StartAsync("analysis", "Analyze our 2024 sales");

        // While the model thinks, the block is open and says so.
        await console.Page.WaitForFunctionAsync("""
            () => document.getElementById('reasoning-panel').open && document.querySelector('#reasoning p')?.textContent.length > 0
                && document.getElementById('reasoning-state').textContent === 'thinking…'
            """, null, new() { Timeout = 10_000 });

        Assert.Equal("completed", await console.WaitForEndAsync(60_000));
        var panel = console.Page.Locator("#reasoning-panel");
        Assert.True(await panel.IsVisibleAsync());
        Assert.False(await panel.EvaluateAsync<bool>("details => details.open"), "the block folds away once the answer starts");
        var above = await panel.BoundingBoxAsync();
        var answer = await console.Page.Locator("#output").BoundingBoxAsync();
        Assert.True(above!.Y + above.Height <= answer!.Y, "the reasoning block is above the answer");

        // Opened, it shows each stretch of thinking: before the calls, the growth call, the answer and the result.
        await console.Page.ClickAsync("#reasoning-panel summary");
        Assert.True(await console.Page.IsVisibleAsync("#reasoning p >> nth=0"));
        var thoughts = await console.Page.Locator("#reasoning p").AllInnerTextsAsync();
        Assert.Equal(4, thoughts.Count);
        Assert.Contains("fetch_sales_data for 2024", thoughts[0]);
        Assert.Contains("calculate_growth", thoughts[1]);
        var screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(screenshots);
        await console.Page.Locator(".answer").ScreenshotAsync(new() { Path = Path.Combine(screenshots, "reasoning.png") });
        var reasoningChars = await console.Page.EvaluateAsync<int>("() => document.getElementById('reasoning').textContent.length");
        Assert.Equal($"{reasoningChars} chars", await console.Page.InnerTextAsync("#reasoning-state"));

        // Never mixed into the answer; every reasoning frame is listed with the others.
        Assert.DoesNotContain("fetch_sales_data for 2024", await console.Page.InnerTextAsync("#output"));
        Assert.Contains("$10,635,675", await console.Page.InnerTextAsync("#output"));
        await console.Page.ClickAsync("#raw-panel summary");
        Assert.True(await console.Page.Locator("#raw td:nth-child(2):text-is('reasoning')").CountAsync() > 4);
        Assert.Empty(console.RequestsOutsideTheApp());
    }

    [Fact]
    public async Task AReloadMidAnswerShowsTheTextSoFarAtOnceFromASnapshotThenContinues()
    {
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "250")
            .With("Runs:ReplayWindow", "16") // the run's start is no longer held when the page comes back
            .With("Runs:DetachGraceSeconds", "10"); // the run waits that long for the reloaded page
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);

        await console.StartAsync("text", "Write a long essay about lighthouses");
        await console.Page.WaitForFunctionAsync("() => document.getElementById('output').innerText.length > 2000", null, new() { Timeout = 30_000 });
        var before = await console.RawFramesAsync();
        var runId = before[0].RunId;
        Assert.Equal(runId, console.RunInAddress);
        var runInfo = await console.Page.InnerTextAsync("#run-info");

        // What the answer shows once the first frame after the reload is handled, before any other frame comes.
        await console.Page.AddInitScriptAsync("""
            addEventListener('DOMContentLoaded', () => new MutationObserver((_, observer) => {
              observer.disconnect();
              window.shownAfterFirstFrame = document.getElementById('output').innerHTML;
            }).observe(document.getElementById('raw'), { childList: true }));
            """);
        await console.Page.ReloadAsync();
        await console.Page.WaitForFunctionAsync("() => window.shownAfterFirstFrame !== undefined", null, new() { Timeout = 15_000 });
        var shownAtOnce = await console.Page.EvaluateAsync<string>("() => window.shownAfterFirstFrame");
        Assert.Equal("completed", await console.WaitForEndAsync(120_000));

        var after = await console.RawFramesAsync();
        Assert.Equal("snapshot", after[0].Type);
        var snapshot = after[0].Payload;
        var sequence = snapshot.GetProperty("sequence").GetInt64();
        Assert.True(sequence >= before.Count, $"the snapshot ({sequence}) has at least what the page had shown ({before.Count} frames)");
        Assert.Equal(Enumerable.Range(0, after.Count).Select(i => $"{runId}:{sequence + i}"), after.Select(frame => frame.Id)); // then every event after it
        var textSoFar = snapshot.GetProperty("text").GetString()!;
        Assert.StartsWith(before.Text(), textSoFar);
        Assert.Equal(await console.RenderMarkdownAsync(textSoFar), shownAtOnce);

        var output = (await app.CreateClient().GetRunAsync(runId)).GetProperty("output");
        Assert.Equal(output.GetProperty("text").GetString(), textSoFar + after.Text());
        Assert.Equal(await console.RenderMarkdownAsync(textSoFar + after.Text()), await console.Page.InnerHTMLAsync("#output"));
        Assert.Equal(runInfo, await console.Page.InnerTextAsync("#run-info"));
        Assert.Equal(runId, console.RunInAddress);
        Assert.Single(console.Requests, url => url.Contains("/stream/text", StringComparison.Ordinal)); // the reload started no run
        await app.WaitForNoActiveRunsAsync();
        var ended = Assert.Single(app.Logs.Events, LogCapture.IsRunEnded);
        Assert.Equal("completed", LogCapture.Scalar(ended, "Status"));
        Assert.Empty(console.RequestsOutsideTheApp());
    }

    [Fact]
    public async Task AReloadMidAnalysisRestoresTheToolTimelineAndTheResultCardFromASnapshot()
    {
        await using var app = new StreamingApiApplication()
            .With("OfflineModel:TokensPerSecond", "60")
            .With("Runs:ReplayWindow", "16")
            .With("Runs:DetachGraceSeconds", "10");
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);

        await console.StartAsync("analysis", "Analyze our 2024 sales");
        await console.Page.WaitForSelectorAsync("#result-panel[data-partial]:not([hidden])", new() { Timeout = 60_000 });
        await console.Page.ReloadAsync();

        // At once, before the run goes on: the calls as they ended, the reasoning folded above the answer, the card so far.
        await console.Page.WaitForSelectorAsync("#raw tr", new() { State = WaitForSelectorState.Attached, Timeout = 15_000 });
        Assert.Equal("snapshot", (await console.RawFramesAsync())[0].Type);
        Assert.Equal("analysis", await console.Page.InputValueAsync("#endpoint"));
        Assert.Equal(["fetch_sales_data", "fetch_sales_data", "fetch_customer_data", "calculate_growth"],
            await console.Page.Locator("#tools .name").AllInnerTextsAsync());
        Assert.Equal(4, await console.Page.Locator("#tools li[data-state=done]").CountAsync());
        Assert.True(await console.Page.IsVisibleAsync("#result-panel"));
        Assert.True(await console.Page.IsVisibleAsync("#reasoning-panel"));
        Assert.False(await console.Page.Locator("#reasoning-panel").EvaluateAsync<bool>("details => details.open"));
        Assert.Contains("$10,635,675", await console.Page.InnerTextAsync("#output"));

        Assert.Equal("completed", await console.WaitForEndAsync(60_000));
        Assert.Equal("validated", await console.Page.InnerTextAsync("#result-state"));
        Assert.Contains("$10,635,675", await console.Page.InnerTextAsync("#result .summary"));
        Assert.Equal(3, await console.Page.Locator("#result .sources li").CountAsync());
        Assert.Matches(@"^\d+ ms$", await console.Page.InnerTextAsync("#tools li >> nth=0 >> .when"));
        Assert.Empty(console.RequestsOutsideTheApp());
    }

    [Fact]
    public async Task AFinishedRunIsShownAgainAfterAReloadAndARunThatIsGoneIsForgottenQuietly()
    {
        await using var app = new StreamingApiApplication();
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);

        await console.StartAsync("progress", "Explain queues");
        Assert.Equal("completed", await console.WaitForEndAsync());
        var answer = await console.Page.InnerHTMLAsync("#output");
        var doneInfo = await console.Page.InnerTextAsync("#done-info");
        var runId = console.RunInAddress;
        Assert.NotNull(runId);

        await console.Page.ReloadAsync();
        await console.Page.WaitForFunctionAsync("() => document.getElementById('state').dataset.state === 'completed'", null, new() { Timeout = 15_000 });
        Assert.Equal(answer, await console.Page.InnerHTMLAsync("#output"));
        Assert.Equal(doneInfo, await console.Page.InnerTextAsync("#done-info"));
        Assert.Equal("progress", await console.Page.InputValueAsync("#endpoint"));
        Assert.True(await console.Page.IsVisibleAsync("#progress-panel"));
        Assert.True(await console.Page.IsEnabledAsync("#start"));

        await console.Page.GotoAsync("/?run=0123456789abcdef"); // expired, or never there
        await console.Page.WaitForFunctionAsync("() => !new URL(location.href).searchParams.has('run')", null, new() { Timeout = 15_000 });
        Assert.Equal("idle", await console.StateAsync());
        Assert.False(await console.Page.IsVisibleAsync("#error"));
        Assert.Equal("0", await console.Page.InnerTextAsync("#raw-count"));
        Assert.DoesNotContain(console.Requests, url => url.Contains("/runs/0123456789abcdef/events", StringComparison.Ordinal));
        Assert.Equal(1, app.Logs.Events.Count(LogCapture.IsRunEnded)); // only the run started by the form
    }
}
