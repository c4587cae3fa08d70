using VgpuView.VfioPlanes.Planes;
using Xunit;

namespace VgpuView.VfioPlanes.Tests.Planes;

public sealed class PlaneNamesTests
{
    [Theory]
    [InlineData(PlaneType.Primary, "primary")]
    [InlineData(PlaneType.Cursor, "cursor")]
    public void Name_IsTheSpellingOfJsonAndMessages_AndParsesBack(PlaneType plane, string name)
    {
        Assert.Equal(name, plane.Name());
        Assert.True(PlaneNames.TryParse(name, out PlaneType parsed));
        Assert.Equal(plane, parsed);
    }

    [Theory]
    [InlineData("Primary")]
    [InlineData("plane 0")]
    [InlineData("DRM_PLANE_TYPE_CURSOR")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_AnyOtherSpelling_IsNotAPlane(string? text) => Assert.False(PlaneNames.TryParse(text, out _));
}
