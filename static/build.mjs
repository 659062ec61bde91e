// build.mjs compiles src/app.scss to app.css. It uses the Sass JavaScript API
// rather than the sass command line for one reason: a host function,
// app-image-url, is visible inside GOV.UK Frontend's module (a function written
// in app.scss is not), so $govuk-image-url-function can drop the Royal Arms
// crest, the only image the library's CSS refers to.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = fileURLToPath(new URL(".", import.meta.url));

// Images GOV.UK Frontend's CSS may ask for that this service must not show.
// Any other name fails the build, so that a new image in a GOV.UK Frontend
// upgrade is a decision (ship it from assets/images/ or drop it), not a 404.
const dropped = new Set(["govuk-crest.svg"]);

const result = sass.compile(`${here}src/app.scss`, {
  style: "compressed",
  sourceMap: false,
  quietDeps: true,
  importers: [new sass.NodePackageImporter(here)],
  functions: {
    "app-image-url($filename)": ([filename]) => {
      const name = filename.assertString("filename").text;
      if (dropped.has(name)) {
        // A null value makes Sass leave the whole declaration out.
        return sass.sassNull;
      }
      throw new Error(`GOV.UK Frontend's CSS wants image ${name}: ship it or drop it in build.mjs`);
    },
  },
});

writeFileSync(`${here}app.css`, result.css + "\n");
