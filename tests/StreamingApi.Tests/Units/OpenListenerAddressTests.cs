using StreamingApi.Security;

namespace StreamingApi.Tests.Units;

public sealed class OpenListenerAddressTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5000", true)]
    [InlineData("http://localhost:5000", true)]
    [InlineData("http://[::1]:5000", true)]
    [InlineData("http://0.0.0.0:5000", false)]
    [InlineData("http://[::]:8080", false)]
    [InlineData("http://+:8080", false)]
    [InlineData("http://10.0.0.5:8080", false)]
    public void OnlyLoopbackAddressesAreLoopback(string address, bool loopback) => Assert.Equal(loopback, OpenListenerWarning.IsLoopback(address));
}
