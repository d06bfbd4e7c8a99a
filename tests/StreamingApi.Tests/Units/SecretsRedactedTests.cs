using StreamingApi.Observability;

namespace StreamingApi.Tests.Units;

public sealed class SecretsRedactedTests
{
    [Theory]
    [InlineData("?prompt=hi&ticket=abc-DEF_123", "?prompt=hi&ticket=[redacted]")]
    [InlineData("?ticket=abc&prompt=hi", "?ticket=[redacted]&prompt=hi")]
    [InlineData("Authorization: Bearer eyJ.eyJ.sig", "Authorization: Bearer [redacted]")]
    [InlineData("X-Api-Key: sak_123", "X-Api-Key: [redacted]")]
    public void SecretsAreReplacedAndTheRestKept(string text, string redacted) => Assert.Equal(redacted, SecretsRedacted.Redact(text));

    [Theory]
    [InlineData("/stream/text")]
    [InlineData("?prompt=tickets are sold out")]
    public void TextWithoutSecretsIsLeftAlone(string text) => Assert.Null(SecretsRedacted.Redact(text));
}
