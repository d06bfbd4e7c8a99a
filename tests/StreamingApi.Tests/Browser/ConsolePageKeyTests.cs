using Microsoft.Playwright;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Browser;

/// <summary>
/// The page on a server that requires credentials: it asks for an API key, keeps it for the tab (sessionStorage),
/// sends it on its fetches and opens every EventSource with a ticket; on a server that requires none, nothing changes.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ConsolePageKeyTests(BrowserFixture browser)
{
    private const string Prompt = "Explain how rivers shape valleys";

    [Fact]
    public async Task ThePageAsksForAKeyAsksAgainForAWrongOneAndStreamsWithTheRightOne()
    {
        await using var app = new StreamingApiApplication().WithAliceAndBob().With("OfflineModel:TokensPerSecond", "200");
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);

        Assert.Equal("required", await console.AuthAsync());
        Assert.True(await console.Page.IsVisibleAsync("#key-form"));
        Assert.Equal("password", await console.Page.GetAttributeAsync("#api-key", "type"));

        await console.EnterKeyAsync("not-a-key");
        Assert.False(await console.Page.IsVisibleAsync("#key-form"));
        await console.StartAsync("text", Prompt);
        await console.Page.WaitForSelectorAsync("#key-form[data-rejected]", new() { Timeout = 15_000 });
        Assert.Contains("did not accept", await console.Page.InnerTextAsync("#key-message"));
        Assert.Null(await StoredKeyAsync(console));
        Assert.Equal("idle", await console.StateAsync());
        Assert.DoesNotContain(app.Logs.Events, LogCapture.IsRunEnded);

        await console.EnterKeyAsync(TestApiKeys.Alice);
        await console.StartAsync("text", Prompt);
        Assert.Equal("completed", await console.WaitForEndAsync());
        Assert.Equal("done", (await console.RawFramesAsync())[^1].Type);
        Assert.Equal(TestApiKeys.Alice, await StoredKeyAsync(console));
        Assert.False(await console.Page.IsVisibleAsync("#key-form"));

        var streams = console.Requests.Where(url => url.Contains("/stream/text", StringComparison.Ordinal)).ToList();
        Assert.Single(streams);
        Assert.Contains("ticket=", streams[0]);
        Assert.DoesNotContain(console.Requests, url => url.Contains(TestApiKeys.Alice, StringComparison.Ordinal)); // the key is never in a URL
        var curl = await console.Page.InnerTextAsync("#curl");
        Assert.Contains("-H \"Authorization: Bearer $STREAMINGAPI_KEY\"", curl); // how to send a key, never the key
        Assert.DoesNotContain(TestApiKeys.Alice, curl);
        var run = await app.CreateClientWithKey(TestApiKeys.Alice).GetRunAsync(console.RunInAddress!);
        Assert.Equal("apikey:alice", run.GetProperty("principal").GetString());
        Assert.Empty(await console.PolicyViolationsAsync());
        Assert.Empty(console.RequestsOutsideTheApp());
    }

    [Fact]
    public async Task AReloadKeepsTheKeyAndResumesTheRunWithATicket()
    {
        await using var app = new StreamingApiApplication().WithAliceAndBob()
            .With("OfflineModel:TokensPerSecond", "250")
            .With("Runs:DetachGraceSeconds", "10"); // the run waits that long for the reloaded page
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);
        Assert.Equal("required", await console.AuthAsync());
        await console.EnterKeyAsync(TestApiKeys.Alice);

        await console.StartAsync("text", "Write a long essay about lighthouses");
        await console.Page.WaitForFunctionAsync("() => document.getElementById('output').innerText.length > 100", null, new() { Timeout = 20_000 });
        var runInfo = await console.Page.InnerTextAsync("#run-info");
        var runId = console.RunInAddress;
        Assert.NotNull(runId);

        await console.Page.ReloadAsync();
        Assert.Equal("required", await console.AuthAsync());
        Assert.NotNull(await StoredKeyAsync(console));
        await console.Page.WaitForSelectorAsync("#raw tr", new() { State = WaitForSelectorState.Attached, Timeout = 15_000 });
        Assert.False(await console.Page.IsVisibleAsync("#key-form")); // the tab kept the key
        var state = await console.WaitForEndAsync(60_000);
        Assert.True(state == "completed", $"{state}: {await console.Page.InnerTextAsync("#done-info")} {await console.Page.InnerTextAsync("#error")}");
        Assert.Equal(runInfo, await console.Page.InnerTextAsync("#run-info"));
        Assert.Equal(runId, console.RunInAddress);

        Assert.Single(console.Requests, url => url.Contains("/stream/text", StringComparison.Ordinal)); // the reload started no run
        Assert.Contains(console.Requests, url => url.Contains($"/runs/{runId}/events?ticket=", StringComparison.Ordinal));
        await app.WaitForNoActiveRunsAsync();
        var ended = Assert.Single(app.Logs.Events, LogCapture.IsRunEnded);
        Assert.Equal("completed", LogCapture.Scalar(ended, "Status"));
        Assert.Empty(await console.PolicyViolationsAsync());
    }

    [Fact]
    public async Task StopSendsTheKeyAndCancelsTheRun()
    {
        await using var app = new StreamingApiApplication().WithAliceAndBob()
            .With("OfflineModel:TokensPerSecond", "20")
            .With("Runs:DetachGraceSeconds", "60"); // were Stop merely to close the stream, the run would go on
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);
        Assert.Equal("required", await console.AuthAsync());
        await console.EnterKeyAsync(TestApiKeys.Alice);

        await console.StartAsync("text", "Write a long essay about lighthouses");
        await console.Page.WaitForFunctionAsync("() => document.getElementById('output').innerText.length > 20", null, new() { Timeout = 10_000 });
        await console.Page.ClickAsync("#stop");

        Assert.Equal("cancelled", await console.WaitForEndAsync());
        Assert.StartsWith("stopped", await console.Page.InnerTextAsync("#done-info"));
        Assert.False(await console.Page.IsVisibleAsync("#key-form"));
        await app.WaitForNoActiveRunsAsync();
    }

    [Fact]
    public async Task WithAuthenticationOffThePageAsksForNothingAndUsesNoTickets()
    {
        await using var app = new StreamingApiApplication().With("OfflineModel:TokensPerSecond", "200");
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);

        Assert.Equal("off", await console.AuthAsync());
        Assert.False(await console.Page.IsVisibleAsync("#key-form"));
        await console.StartAsync("text", Prompt);
        Assert.Equal("completed", await console.WaitForEndAsync());

        Assert.False(await console.Page.IsVisibleAsync("#key-form"));
        Assert.DoesNotContain(console.Requests, url => url.Contains("/auth/tickets", StringComparison.Ordinal) || url.Contains("ticket=", StringComparison.Ordinal));
        Assert.DoesNotContain("Authorization", await console.Page.InnerTextAsync("#curl"));
        Assert.Empty(await console.PolicyViolationsAsync());
    }

    private static Task<string?> StoredKeyAsync(ConsolePage console) =>
        console.Page.EvaluateAsync<string?>("() => sessionStorage.getItem('streamingapi.apiKey')");
}
