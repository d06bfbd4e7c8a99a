using System.Text.RegularExpressions;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Telemetry;

/// <summary>What leaves the service by the standard variables: OTLP to a collector, Prometheus at /metrics.</summary>
[Collection(ProcessTracesCollection.Name)]
public sealed class OtlpExportTests
{
    [Fact]
    public async Task WithAnOtlpEndpointARunsSpansArriveOverHttpProtobufUnderTheServicesName()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        // The program as a user starts it: the OTEL_* variables are read as the service starts.
        await using var program = ProgramProcess.Start(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OfflineModel__TokensPerSecond"] = "0",
            ["OfflineModel__FirstTokenDelayMs"] = "0",
        });
        using var client = new HttpClient { BaseAddress = await program.WaitForAddressAsync() };
        var frames = await client.GetFramesAsync("/stream/text?prompt=Explain%20server-sent%20events");
        var runId = frames[0].RunId;
        var traceId = frames[0]["traceId"].GetString()!;

        ReceivedSpan? run = null;
        await Eventually.TrueAsync(() => (run = receiver.Spans.FirstOrDefault(s => s.Attributes.GetValueOrDefault("streamingapi.run.id") == runId)) is not null,
            "the run's span has arrived", TimeSpan.FromSeconds(30));
        Assert.Equal(("invoke_agent writer", traceId), (run!.Name, run.TraceId));
        Assert.Equal("streamingapi", run.Resource["service.name"]);
        ReceivedSpan? chat = null;
        await Eventually.TrueAsync(() => (chat = receiver.Spans.FirstOrDefault(s => s.ParentSpanId == run.SpanId && s.Name.StartsWith("chat ", StringComparison.Ordinal))) is not null,
            "the run's model call has arrived", TimeSpan.FromSeconds(30));
        Assert.Equal((traceId, "chat"), (chat!.TraceId, chat.Attributes["gen_ai.operation.name"]));
        Assert.Contains(receiver.Spans, s => s.TraceId == traceId && s.SpanId == run.ParentSpanId && s.Name.StartsWith("GET", StringComparison.Ordinal));

        // The run's log line names its trace and span.
        await Eventually.TrueAsync(() => program.Output.Split('\n').Any(line => line.Contains($"Run {runId} on text", StringComparison.Ordinal)
            && line.EndsWith($" {traceId} {run.SpanId}", StringComparison.Ordinal)), "the run's log line has its trace and span ids");
    }

    [Fact]
    public async Task MetricsNameTheServiceAndCarryEveryModelCallsTokenUsage()
    {
        await using var app = new StreamingApiApplication();
        var client = app.CreateSocketClient();
        await client.GetFramesAsync("/stream/text?prompt=Explain%20server-sent%20events");

        var metrics = "";
        await Eventually.TrueAsync(async () => (metrics = await client.GetStringAsync("/metrics")).Contains("gen_ai_client_token_usage", StringComparison.Ordinal),
            "the token usage is on /metrics");
        Assert.Matches(@"gen_ai_client_token_usage_count\{[^}]*gen_ai_token_type=""input""[^}]*\} [1-9]", metrics);
        Assert.Matches(@"gen_ai_client_operation_duration_seconds_count\{[^}]*gen_ai_operation_name=""chat""[^}]*\} [1-9]", metrics);
        Assert.Matches(@"target_info\{service_name=""streamingapi""", metrics);
        Assert.DoesNotContain("unknown_service", metrics);
        Assert.DoesNotContain("time_per_output_chunk", metrics);
    }

    [Fact]
    public async Task OtelServiceNameNamesTheService()
    {
        await using var program = ProgramProcess.Start(new Dictionary<string, string> { ["OTEL_SERVICE_NAME"] = "streams-eu" });
        using var client = new HttpClient { BaseAddress = await program.WaitForAddressAsync() };

        Assert.Matches(@"target_info\{service_name=""streams-eu""", await client.GetStringAsync("/metrics"));
    }
}
