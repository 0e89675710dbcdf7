/** The script that makes a complete installation; the release test and the Dockerfile both run it. */
export const BUILD_RELEASE_SCRIPT = 'scripts/build-release.sh';
