using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingApi.Runs;

namespace StreamingApi.Tests.Infrastructure;

/// <summary>
/// What a client makes of a stream: a <c>snapshot</c> frame replaces what it had, each later event is applied to it.
/// Folded with the service's own <see cref="RunSnapshotBuilder"/>, from frames parsed off the wire.
/// </summary>
public static class Answers
{
    private static readonly RunEventCodec Codec = Units.MemoryRunLogTests.Codec;

    /// <summary>The answer the frames give, in order, as a client applying them has it.</summary>
    public static RunSnapshot Fold(this IEnumerable<Frame> frames)
    {
        var builder = new RunSnapshotBuilder();
        foreach (var frame in frames)
        {
            var @event = Codec.Decode(frame.Type, Encoding.UTF8.GetBytes(frame.Data));
            if (@event is RunSnapshot snapshot)
            {
                Assert.Equal(frame.Sequence, snapshot.Sequence); // a snapshot's id is the last event it reflects
                builder = new RunSnapshotBuilder(snapshot);
            }
            else
            {
                builder.Apply(frame.Sequence, @event);
            }
        }
        return builder.Build();
    }

    /// <summary>The answer as JSON, to compare two answers whole (or an answer with <c>GET /runs/{runId}</c>'s <c>output</c>).</summary>
    public static JsonNode Json(this RunSnapshot snapshot) =>
        JsonNode.Parse(JsonSerializer.Serialize(snapshot, JsonSerializerOptions.Web))!;

    public static JsonNode AsNode(this JsonElement element) => JsonNode.Parse(element.GetRawText())!;

    public static void Same(JsonNode expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected\n{Shorten(expected)}\nbut was\n{Shorten(actual)}");

    private static string Shorten(JsonNode node)
    {
        var text = node.ToJsonString();
        return text.Length <= 2000 ? text : text[..2000] + "…";
    }
}
