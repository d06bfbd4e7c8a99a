using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using StreamingApi.Limits;

namespace StreamingApi.Tests.Units;

/// <summary>A request's limit key is the same whether it is made or found among the keys kept for recent callers.</summary>
public sealed class LimitKeysTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("203.0.113.9")]
    [InlineData("2001:db8::1")]
    [InlineData("fe80::1%2")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255")]
    public void AnAnonymousRequestCountsAgainstItsAddress(string address)
    {
        var ip = IPAddress.Parse(address);
        var first = LimitKeys.Of(Request(ip));
        var again = LimitKeys.Of(Request(IPAddress.Parse(address)));
        Assert.Equal(LimitKeys.ForAddress(ip.ToString()), first);
        Assert.Equal(first, again);
    }

    [Fact]
    public void ARequestWithoutAnAddressCountsAgainstUnknown() => Assert.Equal("address:unknown", LimitKeys.Of(Request(null)));

    [Fact]
    public void AnAuthenticatedRequestCountsAgainstItsPrincipal()
    {
        var http = Request(IPAddress.Loopback);
        http.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "apikey:bench")], "test", "sub", "role"));
        Assert.Equal("principal:apikey:bench", LimitKeys.Of(http));
        Assert.Equal("principal:apikey:bench", LimitKeys.Of(http));
    }

    [Fact]
    public void ManyCallersStillGetTheirOwnKeys()
    {
        for (var i = 0; i < 25_000; i++)
        {
            var ip = new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]);
            Assert.Equal(LimitKeys.ForAddress(ip.ToString()), LimitKeys.Of(Request(ip)));
        }
    }

    private static DefaultHttpContext Request(IPAddress? address)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = address;
        return http;
    }
}
