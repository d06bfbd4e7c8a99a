using System.Text;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StreamingApi.Agents;
using StreamingApi.Runs;
using StreamingApi.Runs.Redis;

namespace StreamingApi.Tests.Units;

/// <summary>
/// What a run's snapshot writes for Redis to append: the text and reasoning as UTF-8, as StackExchange.Redis sends a
/// string, so a character whose two halves a model split between deltas must not be cut between two writes.
/// </summary>
public sealed class RedisSnapshotWriterTests
{
    private static readonly RunEventCodec Codec = new(Options.Create(new JsonOptions()));

    [Fact]
    public void ACharacterSplitBetweenDeltasIsAppendedWholeWhenAWriteFallsBetweenItsHalves()
    {
        var writer = new RedisSnapshotWriter(Codec, TimeSpan.FromMinutes(1));
        var text = new List<byte>();
        var reasoning = new List<byte>();

        Apply(writer, 1, new ReasoningDelta("Hm \uD83E"));
        Apply(writer, 2, new TextDelta("Up \uD83D"));
        Write(writer, text, reasoning, whole: false); // the stream is about to be trimmed: a write between the halves
        Apply(writer, 3, new ReasoningDelta("\uDD14."));
        Apply(writer, 4, new TextDelta("\uDCC8 12 %"));
        Write(writer, text, reasoning, whole: true); // the run's end

        Assert.Equal("Up \U0001F4C8 12 %", Encoding.UTF8.GetString([.. text]));
        Assert.Equal("Hm \U0001F914.", Encoding.UTF8.GetString([.. reasoning]));
        Assert.Equal(4, writer.Sequence);
    }

    [Fact]
    public void AHalfKeptBackIsWrittenByTheNextWriteEvenWhenNoTextCameSince()
    {
        var writer = new RedisSnapshotWriter(Codec, TimeSpan.FromMinutes(1));
        var text = new List<byte>();
        var reasoning = new List<byte>();

        Apply(writer, 1, new TextDelta("a\uD83D"));
        Write(writer, text, reasoning, whole: false);
        Assert.Equal("a", Encoding.UTF8.GetString([.. text]));

        // The run ends with that half alone: its end's write has it, as the memory store's snapshot would.
        Write(writer, text, reasoning, whole: true);
        Assert.Equal("a\uFFFD", Encoding.UTF8.GetString([.. text]));
    }

    private static void Apply(RedisSnapshotWriter writer, long sequence, AgentEvent @event) =>
        writer.Apply(sequence, @event, Codec.Encode(@event));

    /// <summary>
    /// One write, as the batch script gets it; its text and reasoning appended as StackExchange.Redis sends them.
    /// </summary>
    private static void Write(RedisSnapshotWriter writer, List<byte> text, List<byte> reasoning, bool whole)
    {
        var arguments = new RedisValue[writer.ArgumentCount(write: true)];
        writer.WriteTo(arguments, write: true, whole);
        text.AddRange(Encoding.UTF8.GetBytes((string)arguments[1]!));
        reasoning.AddRange(Encoding.UTF8.GetBytes((string)arguments[2]!));
    }
}
