using System.Text.Json;
using Serilog.Events;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

public sealed class ServiceTests
{
    [Fact]
    public async Task SwaggerDocumentsEveryEndpointWithEventStreamResponses()
    {
        await using var app = new StreamingApiApplication(kestrel: false);
        var document = JsonDocument.Parse(await app.CreateClient().GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var paths = document.GetProperty("paths");

        foreach (var stream in new[] { "text", "analysis", "progress", "buffered", "flaky" })
        {
            var path = paths.GetProperty($"/stream/{stream}");
            foreach (var method in new[] { "get", "post" })
            {
                var operation = path.GetProperty(method);
                Assert.True(operation.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("text/event-stream", out _));
                Assert.True(operation.GetProperty("responses").TryGetProperty("400", out _));
                Assert.Contains("tool-call", operation.GetProperty("description").GetString());
                Assert.Contains("reasoning", operation.GetProperty("description").GetString());
            }
            Assert.Contains(path.GetProperty("get").GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "prompt");
        }
        Assert.True(paths.TryGetProperty("/agent/text", out _));
        Assert.True(paths.GetProperty("/runs").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty("/runs/{runId}").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/runs/{runId}/cancel").TryGetProperty("post", out _));
        var events = paths.GetProperty("/runs/{runId}/events").GetProperty("get").GetProperty("responses");
        Assert.True(events.GetProperty("200").GetProperty("content").TryGetProperty("text/event-stream", out _));
        foreach (var status in new[] { "204", "404" }) Assert.True(events.TryGetProperty(status, out _), $"/runs/{{runId}}/events documents {status}");
        foreach (var (path, method) in new[] { ("/api/chat", "post"), ("/api/agents/{agent}/chat", "post"), ("/api/chat/{chatId}/stream", "get"),
                     ("/api/agents/{agent}/chat/{chatId}/stream", "get"), ("/api/agents/{agent}/ag-ui", "post") })
        {
            var responses = paths.GetProperty(path).GetProperty(method).GetProperty("responses");
            Assert.True(responses.GetProperty("200").GetProperty("content").TryGetProperty("text/event-stream", out _), $"{path} streams");
            Assert.True(responses.TryGetProperty(method == "get" ? "204" : "400", out _), $"{path} documents its answer before a stream");
        }
    }

    [Fact]
    public async Task HealthAnswersAndTheStaticRootIsServed()
    {
        await using var app = new StreamingApiApplication(kestrel: false);
        var client = app.CreateClient();

        Assert.Equal("Healthy", await client.GetStringAsync("/health"));
        Assert.Equal("Healthy", await client.GetStringAsync("/health/live"));
        Assert.Equal("Healthy", await client.GetStringAsync("/health/ready"));
        using var root = await client.GetAsync("/");
        Assert.True(root.IsSuccessStatusCode);
        Assert.Equal("text/html", root.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task EachRunLogsOneStructuredLineAndNoPromptTextAtInformation()
    {
        await using var app = new StreamingApiApplication();
        const string secretPrompt = "zebra-quartz-7781 analysis of 2024 sales";
        var frames = await app.CreateClient().GetFramesAsync("/stream/analysis?prompt=" + Uri.EscapeDataString(secretPrompt));
        await app.WaitForNoActiveRunsAsync();

        var line = await app.Logs.WaitForAsync(LogCapture.IsRunEnded);
        Assert.Single(app.Logs.Events, LogCapture.IsRunEnded);
        Assert.Equal(frames[0]["runId"].GetString(), LogCapture.Scalar(line, "RunId"));
        Assert.Equal("analysis", LogCapture.Scalar(line, "Endpoint"));
        Assert.Equal("completed", LogCapture.Scalar(line, "Status"));
        Assert.Equal("offline-writer-1", LogCapture.Scalar(line, "Model"));
        Assert.Equal("4", LogCapture.Scalar(line, "ToolCalls"));
        Assert.Equal(frames[^1]["chars"].GetInt64().ToString(), LogCapture.Scalar(line, "Chars"));

        await app.Logs.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("HTTP {RequestMethod} {RequestPath}", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Events.Where(e => e.Level >= LogEventLevel.Information),
            e => e.RenderMessage().Contains("zebra-quartz") || e.Properties.Values.Any(v => v.ToString().Contains("zebra-quartz")));
    }
}
