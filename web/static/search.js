// Search page: the filter panel stays open beside the results on a desktop and folds on a phone.
(function () {
  "use strict";
  var fold = document.querySelector(".facets-fold");
  if (fold && window.matchMedia("(max-width: 800px)").matches) fold.open = false;
})();
