using StreamingApi.Agents;
using StreamingApi.Runs.Memory;

namespace StreamingApi.Tests.Units;

public sealed class CompactEventsTests
{
    [Fact]
    public void AWindowOverManyBlocksGivesBackEveryHeldEventAndLetsGoOfTheRest()
    {
        var events = new CompactEvents(MemoryRunLogTests.Codec);
        var kept = 300; // some 40 bytes an entry: the window spans several 4 KB blocks, and blocks are let go as it moves
        for (var sequence = 1L; sequence <= 2_000; sequence++)
        {
            events.Add(sequence, new TextDelta($"token {sequence} "));
            events.DropBefore(sequence + 1 - kept);
        }

        Assert.Equal(1_701, events.FirstSequence);
        Assert.Equal(2_001, events.NextSequence);
        for (var sequence = events.FirstSequence; sequence < events.NextSequence; sequence++)
        {
            var entry = events.Get(sequence);
            Assert.Equal(sequence, entry.Sequence);
            Assert.Equal(AgentEventTypes.Text, entry.Type);
            Assert.Equal(MemoryRunLogTests.Codec.Encode(new TextDelta($"token {sequence} ")), entry.Json.ToArray());
            Assert.Equal($"token {sequence} ", Assert.IsType<TextDelta>(entry.ToEvent()).Delta);
        }
        Assert.Throws<InvalidOperationException>(() => events.Get(1_700));
        Assert.Throws<InvalidOperationException>(() => events.Get(2_001));
    }

    [Fact]
    public void AfterEverythingWasLetGoTheWindowStartsAgainAtTheNextEventsSequence()
    {
        var events = new CompactEvents(MemoryRunLogTests.Codec);
        events.Add(1, new TextDelta("a"));
        events.Add(2, new TextDelta("b"));
        events.DropBefore(10);
        Assert.Equal(0, events.Count);
        Assert.Equal(10, events.FirstSequence);

        events.Add(10, new TextDelta("c"));
        events.Add(11, new TextDelta("d"));

        Assert.Equal("c", Assert.IsType<TextDelta>(events.Get(10).ToEvent()).Delta);
        Assert.Equal("d", Assert.IsType<TextDelta>(events.Get(11).ToEvent()).Delta);
        Assert.Throws<InvalidOperationException>(() => events.Add(13, new TextDelta("gap")));
    }
}
