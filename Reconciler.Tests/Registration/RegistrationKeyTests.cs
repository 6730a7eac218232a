using Reconciler.Actors.Registration;

namespace Reconciler.Tests.Registration;

public sealed class RegistrationKeyTests
{
    [Theory]
    [InlineData("/apps/stupid_server/%n", "/apps/stupid_server/web-7")]
    [InlineData("/apps/stupid_server/stupid-server@1.service", "/apps/stupid_server/stupid-server@1.service")]
    [InlineData("/apps/%n/%n", "/apps/web-7/web-7")]
    [InlineData("/apps/100%%/%n", "/apps/100%/web-7")]
    [InlineData("/apps/%%n", "/apps/%n")]
    public void Expands_the_host_name_and_escaped_percent_signs(string template, string expected) =>
        Assert.Equal(expected, RegistrationKey.Expand(template, "web-7"));

    [Theory]
    [InlineData("/apps/%i", "unknown specifier %i")]
    [InlineData("/apps/50%", "ends with a lone %")]
    [InlineData("", "the key is empty")]
    public void Rejects_what_nobody_meant(string template, string problem) =>
        Assert.Contains(problem, Assert.Throws<FormatException>(() => RegistrationKey.Expand(template, "web-7")).Message);
}
