using Shop.Functions.Notifications;
using Xunit;

namespace Shop.Functions.Tests.Notifications;

public sealed class HeaderTextSingleLine
{
    [Theory]
    [InlineData("Ada Lovelace", "Ada Lovelace")]
    [InlineData("  Ada \t Lovelace  ", "Ada Lovelace")]
    [InlineData("Eve\r\nBcc: x@example.com", "Eve Bcc: x@example.com")]
    [InlineData("Eve\rTo: x\nCc: y", "Eve To: x Cc: y")]
    [InlineData("Eve\u2028Bcc: x\u2029Cc: y\u0085Z", "Eve Bcc: x Cc: y Z")]
    [InlineData("Nul\0and\u001bescape", "Nul and escape")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void KeepsTextOnOneLine(string? text, string expected) => Assert.Equal(expected, HeaderText.SingleLine(text));

    [Fact]
    public void ReplacesAnUnpairedSurrogate() => Assert.Equal("a\uFFFDb", HeaderText.SingleLine("a\uD800b"));

    [Fact]
    public void CutsAtTheLimitWithoutSplittingASurrogatePair() =>
        Assert.Equal("ab", HeaderText.SingleLine("ab😀", maxLength: 3));
}
