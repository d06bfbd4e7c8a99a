using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StreamingApi.Security;

namespace StreamingApi.Tests.Units;

/// <summary>The configured keys are matched by the SHA-256 of the key sent, whatever its length.</summary>
public sealed class ApiKeyListTests
{
    private static string HashOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    [Theory]
    [InlineData("sak_short")]
    [InlineData("sak_ünïcödé")]
    [InlineData(null)] // a key longer than the stack buffer
    public void AKeyIsKnownByItsHashAndNamesItsPrincipal(string? key)
    {
        key ??= new string('k', 2_000);
        var keys = new ApiKeyList(Options.Create(new AuthOptions
        {
            ApiKeys = [new() { Name = "other", Sha256 = HashOf("other-key") }, new() { Name = "bench", Sha256 = HashOf(key).ToUpperInvariant() }],
        }));
        Assert.Equal("apikey:bench", keys.PrincipalOf(key));
        Assert.Equal("apikey:other", keys.PrincipalOf("other-key"));
        Assert.Null(keys.PrincipalOf(key + "x"));
        Assert.Null(keys.PrincipalOf(""));
    }

    [Fact]
    public async Task AKeysAuthenticationCarriesItsPrincipalAndIsMadeOnce()
    {
        var keys = new ApiKeyList(Options.Create(new AuthOptions
        {
            ApiKeys = [new() { Name = "alice", Sha256 = HashOf("alice-key") }, new() { Name = "bob", Sha256 = HashOf("bob-key") }],
        }));

        var alice = await keys.AuthenticationOf("alice-key")!;
        var bob = await keys.AuthenticationOf("bob-key")!;

        Assert.True(alice.Succeeded);
        Assert.Equal(AuthSchemes.ApiKey, alice.Ticket!.AuthenticationScheme);
        Assert.Equal(("apikey:alice", true, AuthSchemes.ApiKey), (alice.Principal!.Identity!.Name, alice.Principal.Identity.IsAuthenticated,
            alice.Principal.Identity.AuthenticationType));
        Assert.Equal("apikey:alice", alice.Principal.FindFirst(AuthSchemes.PrincipalClaim)?.Value);
        Assert.Null(alice.Principal.FindFirst(AuthSchemes.TicketClaim));
        Assert.Equal("apikey:bob", bob.Principal!.Identity!.Name);
        Assert.Same(alice, await keys.AuthenticationOf("alice-key")!);
        Assert.Null(keys.AuthenticationOf("alice-key "));
    }
}
