using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Events;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

public sealed class ErrorStreamTests
{
    [Fact]
    public async Task FailingToolGivesErrorThenDoneFailedAndTheNextRequestStillWorks()
    {
        await using var app = new StreamingApiApplication();
        var client = app.CreateClient();

        var frames = await client.GetFramesAsync("/stream/flaky?prompt=Check%20stock%20in%20Europe&fail=true");

        // The offline model thinks before it calls the tool.
        Assert.Equal(["run", "reasoning", "tool-call", "tool-result", "error", "done"], frames.Shape());
        var call = frames.Single(f => f.Type == "tool-call");
        Assert.Equal("check_inventory", call["name"].GetString());
        Assert.Equal("Europe", call["arguments"].GetProperty("region").GetString());
        Assert.Equal("The tool failed.", frames.Single(f => f.Type == "tool-result")["error"].GetString());
        var error = frames[^2];
        Assert.Equal("tool-failed", error["type"].GetString());
        Assert.Equal(502, error["status"].GetInt32());
        Assert.False(string.IsNullOrEmpty(error["title"].GetString()));
        Assert.DoesNotContain("Exception", error.Data);
        Assert.DoesNotContain("503", error.Data); // the tool's own message stays in the log
        Assert.Equal("failed", frames[^1]["status"].GetString());

        var failure = await app.Logs.WaitForAsync(e => e.Level == LogEventLevel.Error && e.Exception is not null);
        Assert.Equal(frames[0]["runId"].GetString(), LogCapture.Scalar(failure, "RunId"));
        Assert.Contains("503", failure.Exception!.ToString());

        var next = await client.GetFramesAsync("/stream/text?prompt=still%20there%3F");
        Assert.Equal("completed", next[^1]["status"].GetString());
    }

    [Fact]
    public async Task FlakyToolThatSucceedsEndsWithAnAnswer()
    {
        await using var app = new StreamingApiApplication();
        var frames = await app.CreateClient().GetFramesAsync("/stream/flaky?prompt=Check%20stock%20in%20Europe&fail=false");

        // The offline model thinks before the call and again before it answers.
        Assert.Equal(["run", "reasoning", "tool-call", "tool-result", "reasoning", "text"], frames.Shape().Take(6));
        Assert.Equal(JsonValueKind.Object, frames.Single(f => f.Type == "tool-result")["result"].ValueKind);
        Assert.Contains("Europe", frames.Text());
        Assert.Equal("completed", frames[^1]["status"].GetString());
    }

    [Fact]
    public async Task ModelFailingMidStreamGivesAnErrorWithoutInternals()
    {
        await using var app = new StreamingApiApplication()
            .WithServices(s => s.AddSingleton<IChatClient>(new ScriptedChatClient("{}", new InvalidOperationException("secret-key-123 leaked"))));
        var frames = await app.CreateClient().GetFramesAsync("/stream/text?prompt=hello");

        Assert.Equal(["run", "text", "error", "done"], frames.Select(f => f.Type));
        Assert.Equal(ScriptedChatClient.Text, frames.Text());
        Assert.Equal(500, frames[2]["status"].GetInt32());
        Assert.DoesNotContain("secret-key-123", frames[2].Data);
        Assert.Contains(frames[0]["runId"].GetString()!, frames[2]["detail"].GetString());
        Assert.Equal("failed", frames[^1]["status"].GetString());
        Assert.Equal(1, frames[^1]["chunks"].GetInt32());
    }

    [Fact]
    public async Task InvalidStructuredResultIsAnErrorNeverAResult()
    {
        await using var app = new StreamingApiApplication()
            .WithServices(s => s.AddSingleton<IChatClient>(new ScriptedChatClient("""{"summary":"Too short.","findings":[],"recommendations":["x"],"dataSources":[]}""")));
        var frames = await app.CreateClient().GetFramesAsync("/stream/analysis?prompt=Analyze%202024");

        Assert.DoesNotContain(frames, f => f.Type == "result");
        Assert.Contains(frames, f => f.Type == "partial");
        var error = frames.Single(f => f.Type == "error");
        Assert.Equal("invalid-output", error["type"].GetString());
        Assert.Contains("Findings", error["detail"].GetString());
        Assert.Contains("DataSources", error["detail"].GetString());
        Assert.Contains("Summary", error["detail"].GetString());
        Assert.Equal("failed", frames[^1]["status"].GetString());
        Assert.Equal("done", frames[^1].Type);
    }
}
