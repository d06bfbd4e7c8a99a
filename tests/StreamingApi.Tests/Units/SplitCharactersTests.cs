using StreamingApi.Agents;

namespace StreamingApi.Tests.Units;

/// <summary>A model's deltas may split a character between them: the agent's events hold each one whole.</summary>
public sealed class SplitCharactersTests
{
    [Fact]
    public void AHalfWaitsForTheNextDeltaOfItsOwnKindAndANeverFinishedOneComesAtTheEnd()
    {
        SplitCharacters? split = null;

        Assert.Equal(new TextDelta("plain"), SplitCharacters.Whole(ref split, "plain", reasoning: false));
        Assert.Null(split); // nothing made while no character is split

        var events = new List<AgentEvent?>
        {
            SplitCharacters.Whole(ref split, "Hm \uD83E", reasoning: true),
            SplitCharacters.Whole(ref split, "Up \uD83D", reasoning: false),
            SplitCharacters.Whole(ref split, "\uDD14.", reasoning: true),
            SplitCharacters.Whole(ref split, "\uDCC8", reasoning: false),
            SplitCharacters.Whole(ref split, " 12 % \uD83D", reasoning: false),
        };
        events.AddRange(split!.Rest());

        Assert.Equal<AgentEvent?>(
            [
                new ReasoningDelta("Hm "), new TextDelta("Up "), new ReasoningDelta("\U0001F914."), new TextDelta("\U0001F4C8"),
                new TextDelta(" 12 % "), new TextDelta("\uD83D"),
            ],
            events);
        Assert.Empty(split.Rest());
    }

    [Fact]
    public void ADeltaThatIsOnlyAHalfMakesNoEvent()
    {
        SplitCharacters? split = null;

        Assert.Null(SplitCharacters.Whole(ref split, "\uD83D", reasoning: false));
        Assert.Equal(new TextDelta("\U0001F600!"), SplitCharacters.Whole(ref split, "\uDE00!", reasoning: false));
    }
}
