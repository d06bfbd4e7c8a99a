using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StreamingApi.Agents;
using StreamingApi.OpenApi;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Conformance;

/// <summary>
/// docs/events.schema.json is what the event records generate, so the document cannot drift from the code; the service
/// serves it, and its OpenAPI document points every stream of our protocol at it.
/// </summary>
public sealed class EventSchemaTests
{
    private static readonly string CheckedIn = Path.Combine(StreamingApiApplication.RepositoryRoot(), EventSchema.File);

    [Fact]
    public async Task TheCheckedInEventSchemaIsWhatTheEventRecordsGenerate()
    {
        await using var app = new StreamingApiApplication(kestrel: false);
        var generated = app.Services.GetRequiredService<EventSchema>().Text;
        if (Environment.GetEnvironmentVariable("UPDATE_EVENT_SCHEMA") == "1") await File.WriteAllTextAsync(CheckedIn, generated);

        var file = File.Exists(CheckedIn) ? (await File.ReadAllTextAsync(CheckedIn)).ReplaceLineEndings("\n") : "(no file)";
        Assert.True(file == generated,
            $"{EventSchema.File} differs from what the event records generate. Write it anew with: {EventSchema.RegenerateCommand}");
    }

    [Fact]
    public void TheSchemaHasOneStrictDefinitionPerEventType()
    {
        var definitions = JsonDocument.Parse(File.ReadAllText(CheckedIn)).RootElement.GetProperty("$defs");

        Assert.Equal(AgentEventTypes.All, definitions.EnumerateObject().Select(d => d.Name));
        var text = definitions.GetProperty(AgentEventTypes.Text);
        Assert.Equal(["delta"], text.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.False(text.GetProperty("additionalProperties").GetBoolean());
        // tool-result's error is left out when null: not required, and a string when it is there.
        var toolResult = definitions.GetProperty(AgentEventTypes.ToolResult);
        Assert.DoesNotContain("error", toolResult.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("string", toolResult.GetProperty("properties").GetProperty("error").GetProperty("type").GetString());
        // done's reason is always written, null when a run completed.
        Assert.Equal(["string", "null"], definitions.GetProperty(AgentEventTypes.Done).GetProperty("properties").GetProperty("reason")
            .GetProperty("type").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task TheServiceServesTheSchemaAndItsOpenApiDocumentPointsEachStreamOfOurProtocolAtIt()
    {
        await using var app = new StreamingApiApplication(kestrel: false);
        var client = app.CreateClient();

        using var served = await client.GetAsync(EventSchema.Path);
        Assert.Equal("application/schema+json", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal(app.Services.GetRequiredService<EventSchema>().Text, await served.Content.ReadAsStringAsync());

        var paths = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json")).RootElement.GetProperty("paths");
        string? SchemaOf(string path, string method) =>
            paths.GetProperty(path).GetProperty(method).GetProperty("responses").GetProperty("200").GetProperty("content")
                .GetProperty("text/event-stream").TryGetProperty(EventSchemaOperationFilter.Extension, out var pointer) ? pointer.GetString() : null;
        foreach (var stream in new[] { "text", "analysis", "progress", "buffered", "flaky" })
        foreach (var method in new[] { "get", "post" })
            Assert.Equal(EventSchema.Path, SchemaOf($"/stream/{stream}", method));
        Assert.Equal(EventSchema.Path, SchemaOf("/runs/{runId}/events", "get"));
        Assert.Null(SchemaOf("/api/chat", "post")); // the UI message stream is another protocol
        Assert.Null(SchemaOf("/api/agents/{agent}/ag-ui", "post"));
    }
}
