using StreamingApi.Tests.Infrastructure;
using Xunit.Abstractions;

namespace StreamingApi.Tests.Telemetry;

[Collection(ProcessTracesCollection.Name)]
public sealed class TelemetryExplorationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Explore()
    {
        var spans = new SpanCapture();
        await using var app = new StreamingApiApplication().WithSpans(spans);
        var client = app.CreateSocketClient();
        var frames = await client.GetFramesAsync("/stream/analysis?prompt=Analyze%20our%202024%20sales");
        output.WriteLine(frames[0].Data);
        var run = await spans.RunEndedAsync(frames[0].RunId);
        await Task.Delay(500);
        foreach (var s in spans.All)
            output.WriteLine($"{s.OperationName} {s.Source.Name} trace={s.TraceId} id={s.SpanId} parent={s.ParentSpanId} status={s.Status} {string.Join(", ", s.TagObjects.Select(t => $"{t.Key}={t.Value}"))}");
    }
}
