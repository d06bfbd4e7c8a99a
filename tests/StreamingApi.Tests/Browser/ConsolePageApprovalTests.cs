using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using StreamingApi.Agents.Tools;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Browser;

/// <summary>
/// A tool call that needs a person's decision: its card on the page has Approve and Deny, the run shows that it waits,
/// the page posts the decision and shows it once the run's approval event comes, after a reload too.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ConsolePageApprovalTests(BrowserFixture browser)
{
    private const string Prompt = "Analyze our 2024 sales and email the report to ana@example.com";
    private const string Card = "#tools li[data-call-id]:has(.name:text-is('send_report'))";

    private static StreamingApiApplication App() => new StreamingApiApplication().With("OfflineModel:TokensPerSecond", "200");

    /// <summary>Waits until the send_report card asks for a decision, and checks that the run says it waits.</summary>
    private static async Task WaitForTheQuestionAsync(ConsolePage console)
    {
        await console.Page.WaitForSelectorAsync($"{Card} .approval button.approve", new() { Timeout = 30_000 });
        await console.Page.WaitForFunctionAsync("() => document.getElementById('state').dataset.state === 'waiting'", null, new() { Timeout = 10_000 });
        Assert.Equal("waiting", await console.StateAsync());
        Assert.Equal("waiting for approval", await console.Page.InnerTextAsync("#done-info"));
        Assert.Equal("waiting", await console.Page.GetAttributeAsync(Card, "data-state"));
        Assert.Equal("waiting for approval", await console.Page.InnerTextAsync($"{Card} .when"));
        Assert.True(await console.Page.IsVisibleAsync($"{Card} .approval button.deny"));
        Assert.Contains("ana@example.com", await console.Page.InnerTextAsync($"{Card} .args"));
    }

    [Fact]
    public async Task ApproveOnTheToolsCardSendsTheReportAndTheRunCompletes()
    {
        await using var app = App();
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);

        await console.StartAsync("analysis", Prompt);
        await WaitForTheQuestionAsync(console);
        Assert.Empty(app.Services.GetRequiredService<SentReports>().All);
        await app.WaitForNoActiveRunsAsync(); // the run waits as data, with no task
        var screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(screenshots);
        await console.Page.Locator(".side").ScreenshotAsync(new() { Path = Path.Combine(screenshots, "approval-waiting.png") });

        await console.Page.ClickAsync($"{Card} button.approve");

        Assert.Equal("completed", await console.WaitForEndAsync(60_000));
        Assert.Equal("approved", await console.Page.GetAttributeAsync($"{Card} .approval", "data-decision"));
        Assert.Equal("approved", await console.Page.InnerTextAsync($"{Card} .approval .decision"));
        Assert.Equal(0, await console.Page.Locator($"{Card} .approval button").CountAsync());
        Assert.Equal("done", await console.Page.GetAttributeAsync(Card, "data-state"));
        Assert.Matches(@"^\d+ ms$", await console.Page.InnerTextAsync($"{Card} .when"));
        Assert.Contains("\"sent\": true", await console.Page.TextContentAsync($"{Card} .result pre"));
        Assert.Contains("The report was sent to ana@example.com", await console.Page.InnerTextAsync("#output"));
        Assert.Equal("validated", await console.Page.InnerTextAsync("#result-state"));
        Assert.Equal("ana@example.com", Assert.Single(app.Services.GetRequiredService<SentReports>().All).To);

        var frames = await console.RawFramesAsync();
        var types = frames.Select(f => f.Type).ToList();
        Assert.True(types.IndexOf("approval-request") < types.IndexOf("approval"));
        Assert.True(frames.Single(f => f.Type == "approval").Payload.GetProperty("approved").GetBoolean());
        Assert.Contains(console.Requests, url => url.Contains($"/runs/{frames[0].RunId}/approvals/", StringComparison.Ordinal));
        Assert.Empty(await console.PolicyViolationsAsync());
        Assert.Empty(console.RequestsOutsideTheApp());
        await console.Page.Locator(".side").ScreenshotAsync(new() { Path = Path.Combine(screenshots, "approval-approved.png") });
    }

    [Fact]
    public async Task DenyWithAReasonRunsNoToolAndTheCardSaysDenied()
    {
        await using var app = App();
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);

        await console.StartAsync("analysis", Prompt);
        await WaitForTheQuestionAsync(console);
        await console.Page.FillAsync($"{Card} .approval .reason", "not this week");
        await console.Page.ClickAsync($"{Card} button.deny");

        Assert.Equal("completed", await console.WaitForEndAsync(60_000));
        Assert.Equal("denied", await console.Page.GetAttributeAsync($"{Card} .approval", "data-decision"));
        Assert.Equal("denied: not this week", await console.Page.InnerTextAsync($"{Card} .approval .decision"));
        Assert.Equal("denied", await console.Page.GetAttributeAsync(Card, "data-state"));
        Assert.Equal("denied: not run", await console.Page.InnerTextAsync($"{Card} .when"));
        Assert.Contains("The report was not sent to ana@example.com", await console.Page.InnerTextAsync("#output"));
        Assert.Empty(app.Services.GetRequiredService<SentReports>().All);

        var approval = (await console.RawFramesAsync()).Single(f => f.Type == "approval").Payload;
        Assert.False(approval.GetProperty("approved").GetBoolean());
        Assert.Equal("not this week", approval.GetProperty("reason").GetString());
        Assert.Empty(await console.PolicyViolationsAsync());
    }

    [Fact]
    public async Task AfterAReloadTheSnapshotOfAWaitingRunShowsTheButtonsAndTheKeyIsSentWithTheDecision()
    {
        await using var app = App().WithAliceAndBob()
            .With("Runs:ReplayWindow", "16"); // the run's start is no longer held when the page comes back: a snapshot
        await using var console = await ConsolePage.OpenAsync(browser.Browser, app);
        Assert.Equal("required", await console.AuthAsync());
        await console.EnterKeyAsync(TestApiKeys.Alice);

        await console.StartAsync("analysis", Prompt);
        await WaitForTheQuestionAsync(console);
        var runId = console.RunInAddress;
        Assert.NotNull(runId);

        await console.Page.ReloadAsync();
        Assert.Equal("required", await console.AuthAsync());
        await WaitForTheQuestionAsync(console);
        var first = (await console.RawFramesAsync())[0];
        Assert.Equal("snapshot", first.Type);
        Assert.Equal("waiting", first.Payload.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, first.Payload.GetProperty("toolCalls").EnumerateArray().Last().GetProperty("approval").GetProperty("approved").ValueKind);
        Assert.Equal(4, await console.Page.Locator("#tools li[data-state=done]").CountAsync()); // the calls before it, as they ended

        await console.Page.ClickAsync($"{Card} button.approve");
        Assert.Equal("completed", await console.WaitForEndAsync(60_000));
        Assert.Equal("approved", await console.Page.InnerTextAsync($"{Card} .approval .decision"));
        Assert.False(await console.Page.IsVisibleAsync("#key-form")); // the decision carried the key
        Assert.Contains("The report was sent to ana@example.com", await console.Page.InnerTextAsync("#output"));
        Assert.Single(app.Services.GetRequiredService<SentReports>().All);
        Assert.Equal(runId, console.RunInAddress);
        Assert.Single(console.Requests, url => url.Contains("/stream/analysis", StringComparison.Ordinal)); // the reload started no run
        Assert.DoesNotContain(console.Requests, url => url.Contains(TestApiKeys.Alice, StringComparison.Ordinal));
        Assert.Empty(await console.PolicyViolationsAsync());
    }
}
